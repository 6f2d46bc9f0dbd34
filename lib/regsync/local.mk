# The register's changes reaching the school: what a register answer means for the store (plan),
# the event feed (follow) and the bulk comparison (sync). foresattctl follow / sync drive them.
lib_libforesatt_la_SOURCES += \
	lib/regsync/calls.c lib/regsync/calls.h \
	lib/regsync/plan.c lib/regsync/plan.h \
	lib/regsync/follow.c lib/regsync/follow.h \
	lib/regsync/sync.c lib/regsync/sync.h

check_PROGRAMS += tests/unit/check_regsync
tests_unit_check_regsync_SOURCES = tests/unit/check_regsync.c
tests_unit_check_regsync_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_regsync_LDADD = $(UNIT_LDADD)
