# The core library: everything that does not need httpd. Linked by the module, foresattctl and the
# unit tests. Plugins compile in the few core files they need (see plugins/*/local.mk).
noinst_LTLIBRARIES += lib/libforesatt.la
lib_libforesatt_la_SOURCES = \
	lib/log.c lib/log.h \
	lib/fnr.c lib/fnr.h \
	lib/config_words.c lib/config_words.h \
	lib/plugin_loader.c lib/plugin_loader.h
lib_libforesatt_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(OAUTH2_CFLAGS) $(CJOSE_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
lib_libforesatt_la_LIBADD = $(APR_LIBS) $(OPENSSL_LIBS) $(OAUTH2_LIBS) $(CJOSE_LIBS) $(CURL_LIBS) $(JANSSON_LIBS) -ldl
