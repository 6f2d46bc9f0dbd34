# Unit tests (check) on the core, and integration tests (pytest) against a real httpd.
# Each area registers its own unit tests in its local.mk with UNIT_CFLAGS / UNIT_LDADD.
EXTRA_DIST += tests/integration tests/standins tests/fixtures tests/run-integration tests/install-npm-tools \
	tests/package.json tests/package-lock.json tests/node-runtime/package.json tests/node-runtime/package-lock.json

TESTS_ENVIRONMENT_VARS = \
	FORESATT_SRCDIR='$(abs_top_srcdir)' FORESATT_BUILDDIR='$(abs_top_builddir)' \
	HTTPD='$(HTTPD)' HTTPD_MODULES_DIR='$(HTTPD_MODULES_DIR)' PYTHON3='$(PYTHON3)' \
	FORESATT_SANITIZER_PRELOAD='$(SANITIZER_PRELOAD)' \
	ASAN_OPTIONS='detect_leaks=0:abort_on_error=0:halt_on_error=1:use_sigaltstack=0' UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1'
AM_TESTS_ENVIRONMENT = export $(TESTS_ENVIRONMENT_VARS);

UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
UNIT_LDADD = lib/libforesatt.la $(APR_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/check_fnr
tests_unit_check_fnr_SOURCES = tests/unit/check_fnr.c
tests_unit_check_fnr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_fnr_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/check_plugin_loader
tests_unit_check_plugin_loader_SOURCES = tests/unit/check_plugin_loader.c
tests_unit_check_plugin_loader_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_plugin_loader_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/check_config_words
tests_unit_check_config_words_SOURCES = tests/unit/check_config_words.c
tests_unit_check_config_words_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_config_words_LDADD = $(UNIT_LDADD)

TESTS += $(check_PROGRAMS)

# Deliberately broken plugins for the loader tests.
BROKEN_PLUGIN_LDFLAGS = $(PLUGIN_LDFLAGS) -rpath /nowhere
check_LTLIBRARIES += tests/plugins/broken_no_entry.la tests/plugins/broken_abi_major.la \
	tests/plugins/broken_abi_minor.la tests/plugins/broken_no_descriptor.la tests/plugins/broken_create_fails.la \
	tests/plugins/serial_plugin.la tests/plugins/older_abi_plugin.la tests/plugins/broken_store_missing.la \
	tests/plugins/broken_store_short.la
tests_plugins_older_abi_plugin_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_older_abi_plugin_la_CPPFLAGS = $(AM_CPPFLAGS) -DOLDER_ABI_MINOR
tests_plugins_older_abi_plugin_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_older_abi_plugin_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_serial_plugin_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_serial_plugin_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_serial_plugin_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_broken_no_entry_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_broken_no_entry_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_NO_ENTRY
tests_plugins_broken_no_entry_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_broken_no_entry_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_broken_abi_major_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_broken_abi_major_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_ABI_MAJOR
tests_plugins_broken_abi_major_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_broken_abi_major_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_broken_abi_minor_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_broken_abi_minor_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_ABI_MINOR
tests_plugins_broken_abi_minor_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_broken_abi_minor_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_broken_no_descriptor_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_broken_no_descriptor_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_NO_DESCRIPTOR
tests_plugins_broken_no_descriptor_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_broken_no_descriptor_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_broken_create_fails_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_broken_create_fails_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_CREATE_FAILS
tests_plugins_broken_create_fails_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_broken_create_fails_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_broken_store_missing_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_broken_store_missing_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_STORE_MISSING
tests_plugins_broken_store_missing_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_broken_store_missing_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_broken_store_short_la_SOURCES = tests/plugins/broken_plugin.c
tests_plugins_broken_store_short_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_STORE_SHORT
tests_plugins_broken_store_short_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_broken_store_short_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)

# Real plugins as their ABI 1.1 builds look to this host (test_63_abi_compat.py).
check_LTLIBRARIES += tests/plugins/store_abi11.la tests/plugins/registry_abi11.la
tests_plugins_store_abi11_la_SOURCES = tests/plugins/abi11_wrap.c
tests_plugins_store_abi11_la_CPPFLAGS = $(AM_CPPFLAGS) -DWRAP_STORE
tests_plugins_store_abi11_la_CFLAGS = $(PLUGIN_CFLAGS) -pthread
tests_plugins_store_abi11_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_store_abi11_la_LIBADD = -ldl -lpthread
tests_plugins_registry_abi11_la_SOURCES = tests/plugins/abi11_wrap.c
tests_plugins_registry_abi11_la_CPPFLAGS = $(AM_CPPFLAGS) -DWRAP_REGISTRY
tests_plugins_registry_abi11_la_CFLAGS = $(PLUGIN_CFLAGS) -pthread
tests_plugins_registry_abi11_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_registry_abi11_la_LIBADD = -ldl -lpthread

# store_sqlite without audit_append: a store that keeps no audit log (test_48_audit.py).
check_LTLIBRARIES += tests/plugins/store_no_audit.la
tests_plugins_store_no_audit_la_SOURCES = tests/plugins/abi11_wrap.c
tests_plugins_store_no_audit_la_CPPFLAGS = $(AM_CPPFLAGS) -DWRAP_STORE -DWRAP_NO_AUDIT
tests_plugins_store_no_audit_la_CFLAGS = $(PLUGIN_CFLAGS) -pthread
tests_plugins_store_no_audit_la_LDFLAGS = $(BROKEN_PLUGIN_LDFLAGS)
tests_plugins_store_no_audit_la_LIBADD = -ldl -lpthread

# Integration tests run last, once everything above is built.
TESTS += tests/run-integration
include tests/store/local.mk

# valgrind memcheck over the unit tests and the fuzz corpora (not part of make check: slower).
EXTRA_DIST += tests/run-valgrind tests/valgrind.supp
check-valgrind: $(check_PROGRAMS) $(noinst_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) FUZZ_TARGETS='$(FUZZ_TARGETS)' \
	$(SHELL) $(srcdir)/tests/run-valgrind $(filter tests/unit/% tests/store/%,$(check_PROGRAMS))
.PHONY: check-valgrind
