# Folkeregister person documents -> foresatt_person_t. In the core library for the unit tests and the
# tool; the register plugins compile freg.c in themselves (they do not link libforesatt.la).
lib_libforesatt_la_SOURCES += lib/freg/freg.c lib/freg/freg.h

check_PROGRAMS += tests/unit/check_freg_parse
tests_unit_check_freg_parse_SOURCES = tests/unit/check_freg_parse.c
tests_unit_check_freg_parse_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib/freg
tests_unit_check_freg_parse_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_check_freg_parse_LDADD = $(UNIT_LDADD) $(JANSSON_LIBS)
