# The core library: everything that does not need httpd. Linked by the module, foresattctl and the
# unit tests. Plugins compile in the few core files they need (see plugins/*/local.mk), and share
# plugins/common/, which is not in here.
noinst_LTLIBRARIES += lib/libforesatt.la
lib_libforesatt_la_SOURCES = \
	lib/log.c lib/log.h \
	lib/fnr.c lib/fnr.h \
	lib/config_words.c lib/config_words.h \
	lib/plugin_loader.c lib/plugin_loader.h \
	lib/store.c lib/store.h \
	lib/person.c lib/person.h \
	lib/registry_cache.c lib/registry_cache.h \
	lib/retention.c lib/retention.h \
	lib/encoding.c lib/encoding.h \
	lib/utf8.c lib/utf8.h \
	lib/json_guard.c lib/json_guard.h \
	lib/return_url.c lib/return_url.h \
	lib/pseudonym.c lib/pseudonym.h \
	lib/hash.c lib/hash.h
# Hidden too: linked into mod_foresatt.so, whose only export is its module record.
lib_libforesatt_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(OPENSSL_CFLAGS) $(OAUTH2_CFLAGS) $(CJOSE_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
lib_libforesatt_la_LIBADD = $(APR_LIBS) $(OPENSSL_LIBS) $(OAUTH2_LIBS) $(CJOSE_LIBS) $(CURL_LIBS) $(JANSSON_LIBS) -ldl

# Sub-areas
include lib/policy/local.mk
include lib/roster/local.mk
include lib/oidc/local.mk
include lib/session/local.mk
include lib/selfservice/local.mk
include lib/regsync/local.mk
include lib/audit/local.mk

check_PROGRAMS += tests/unit/check_registry_cache
tests_unit_check_registry_cache_SOURCES = tests/unit/check_registry_cache.c
tests_unit_check_registry_cache_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_registry_cache_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/check_person
tests_unit_check_person_SOURCES = tests/unit/check_person.c
tests_unit_check_person_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_person_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/check_store_facade
tests_unit_check_store_facade_SOURCES = tests/unit/check_store_facade.c
tests_unit_check_store_facade_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_store_facade_LDADD = $(UNIT_LDADD)
