# The PostgreSQL store: several web servers sharing one database. Built when configure finds libpq.
if HAVE_PGSQL
plugin_LTLIBRARIES += plugins/store_pgsql/store_pgsql.la
plugins_store_pgsql_store_pgsql_la_SOURCES = plugins/store_pgsql/store_pgsql.c plugins/store_pgsql/schema.h \
	$(STORE_CORE_SOURCES)
plugins_store_pgsql_store_pgsql_la_CPPFLAGS = $(PLUGIN_COMMON_CPPFLAGS)
plugins_store_pgsql_store_pgsql_la_CFLAGS = $(PLUGIN_CFLAGS) $(PQ_CFLAGS)
plugins_store_pgsql_store_pgsql_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_store_pgsql_store_pgsql_la_LIBADD = $(PQ_LIBS) -lpthread
endif
