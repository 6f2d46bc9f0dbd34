# The SQLite store: the embedded default (one file, WAL, many processes).
plugin_LTLIBRARIES += plugins/store_sqlite/store_sqlite.la
plugins_store_sqlite_store_sqlite_la_SOURCES = plugins/store_sqlite/store_sqlite.c plugins/store_sqlite/schema.h \
	plugins/store_common/store_util.c plugins/store_common/store_util.h \
	plugins/store_common/conn_pool.c plugins/store_common/conn_pool.h $(PLUGIN_SAY_SOURCES)
plugins_store_sqlite_store_sqlite_la_CPPFLAGS = $(PLUGIN_COMMON_CPPFLAGS) -I$(top_srcdir)/plugins/store_common
plugins_store_sqlite_store_sqlite_la_CFLAGS = $(PLUGIN_CFLAGS) $(SQLITE_CFLAGS)
plugins_store_sqlite_store_sqlite_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_store_sqlite_store_sqlite_la_LIBADD = $(SQLITE_LIBS) -lpthread
