# Session cookies (no httpd): sealing, the records inside, and the table of ended sessions.
lib_libforesatt_la_SOURCES += \
	lib/session/cookie_crypto.c lib/session/cookie_crypto.h \
	lib/session/record.c lib/session/record.h \
	lib/session/session.c lib/session/session.h \
	lib/session/revocation.c lib/session/revocation.h

check_PROGRAMS += tests/unit/check_session_crypto
tests_unit_check_session_crypto_SOURCES = tests/unit/check_session_crypto.c
tests_unit_check_session_crypto_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_session_crypto_LDADD = $(LOGIN_UNIT_LDADD)

check_PROGRAMS += tests/unit/check_session_record
tests_unit_check_session_record_SOURCES = tests/unit/check_session_record.c
tests_unit_check_session_record_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_session_record_LDADD = $(LOGIN_UNIT_LDADD)

check_PROGRAMS += tests/unit/check_session_revocation
tests_unit_check_session_revocation_SOURCES = tests/unit/check_session_revocation.c
tests_unit_check_session_revocation_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_session_revocation_LDADD = $(LOGIN_UNIT_LDADD)