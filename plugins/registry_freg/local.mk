# The real register: Folkeregisteret's API with a Maskinporten token (libcurl, OpenSSL, jansson).
plugin_LTLIBRARIES += plugins/registry_freg/registry_freg.la
plugins_registry_freg_registry_freg_la_SOURCES = \
	plugins/registry_freg/registry_freg.c \
	plugins/registry_freg/http.c plugins/registry_freg/http.h \
	plugins/registry_freg/maskinporten.c plugins/registry_freg/maskinporten.h \
	plugins/registry_freg/feed.c plugins/registry_freg/feed.h \
	$(PLUGIN_SAY_SOURCES) $(FREG_PARSE_SOURCES) $(FREG_FEED_SOURCES)
plugins_registry_freg_registry_freg_la_CPPFLAGS = $(PLUGIN_COMMON_CPPFLAGS) -I$(top_srcdir)/plugins/registry_freg
plugins_registry_freg_registry_freg_la_CFLAGS = $(PLUGIN_CFLAGS) $(CURL_CFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS) -pthread
plugins_registry_freg_registry_freg_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_registry_freg_registry_freg_la_LIBADD = $(CURL_LIBS) $(OPENSSL_LIBS) $(JANSSON_LIBS) -lpthread

# A long-lived test driver (threads, the lookup cache, a plugin): tests/integration/test_23_*.
noinst_PROGRAMS += tests/plugins/registry_probe
tests_plugins_registry_probe_SOURCES = tests/plugins/registry_probe.c
tests_plugins_registry_probe_LDADD = lib/libforesatt.la $(APR_LIBS)
