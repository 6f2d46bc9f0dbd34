# The school's roster: RFC 4180 CSV and row validation (foresattctl import).
lib_libforesatt_la_SOURCES += lib/roster/csv.c lib/roster/csv.h lib/roster/roster.c lib/roster/roster.h

check_PROGRAMS += tests/unit/check_roster_parse
tests_unit_check_roster_parse_SOURCES = tests/unit/check_roster_parse.c
tests_unit_check_roster_parse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_roster_parse_LDADD = $(UNIT_LDADD)
