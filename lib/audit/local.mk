# The audit entries a writer holds before the store takes them, coalesced per window (no httpd).
lib_libforesatt_la_SOURCES += lib/audit/queue.c lib/audit/queue.h

check_PROGRAMS += tests/unit/check_audit_queue
tests_unit_check_audit_queue_SOURCES = tests/unit/check_audit_queue.c
tests_unit_check_audit_queue_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_audit_queue_LDADD = $(UNIT_LDADD)
