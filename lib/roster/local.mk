# The school's roster: RFC 4180 CSV and row validation (foresattctl import).
lib_libforesatt_la_SOURCES += lib/roster/csv.c lib/roster/csv.h lib/roster/roster.c lib/roster/roster.h

check_PROGRAMS += tests/unit/check_roster
tests_unit_check_roster_SOURCES = tests/unit/check_roster.c
tests_unit_check_roster_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_roster_LDADD = $(UNIT_LDADD)
