# The SQLite store: the embedded default (one file, WAL, many processes).
plugin_LTLIBRARIES += plugins/store_sqlite/store_sqlite.la
plugins_store_sqlite_store_sqlite_la_SOURCES = plugins/store_sqlite/store_sqlite.c plugins/store_sqlite/schema.h \
	$(STORE_CORE_SOURCES)
plugins_store_sqlite_store_sqlite_la_CPPFLAGS = $(PLUGIN_COMMON_CPPFLAGS)
plugins_store_sqlite_store_sqlite_la_CFLAGS = $(PLUGIN_CFLAGS) $(SQLITE_CFLAGS)
plugins_store_sqlite_store_sqlite_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_store_sqlite_store_sqlite_la_LIBADD = $(SQLITE_LIBS) -lpthread
