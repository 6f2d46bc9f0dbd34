# The store conformance suite: every store plugin passes it. make check runs it on the SQLite
# plugin; tests/integration/test_30_store_conformance.py runs it on SQLite and PostgreSQL.
check_PROGRAMS += tests/store/check_store_conformance
tests_store_check_store_conformance_SOURCES = tests/store/check_store_conformance.c
tests_store_check_store_conformance_CFLAGS = $(UNIT_CFLAGS)
tests_store_check_store_conformance_LDADD = $(UNIT_LDADD) -lpthread

check_PROGRAMS += tests/unit/check_store_retention
tests_unit_check_store_retention_SOURCES = tests/unit/check_store_retention.c
tests_unit_check_store_retention_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_store_retention_LDADD = $(UNIT_LDADD)

# A long-lived store client the integration tests drive (restart PostgreSQL between calls).
noinst_PROGRAMS += tests/store/store_probe
tests_store_store_probe_SOURCES = tests/store/store_probe.c
tests_store_store_probe_LDADD = lib/libforesatt.la $(APR_LIBS) -lpthread
