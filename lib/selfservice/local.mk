# The self-service pages' core: page templates, contact checks, language choice, consent period.
lib_libforesatt_la_SOURCES += \
	lib/selfservice/template.c lib/selfservice/template.h \
	lib/selfservice/contact.c lib/selfservice/contact.h \
	lib/selfservice/contact_input.c lib/selfservice/contact_input.h \
	lib/selfservice/lang.c lib/selfservice/lang.h \
	lib/selfservice/consent_period.c lib/selfservice/consent_period.h

check_PROGRAMS += tests/unit/check_selfservice
tests_unit_check_selfservice_SOURCES = tests/unit/check_selfservice.c
tests_unit_check_selfservice_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_selfservice_LDADD = $(UNIT_LDADD)
