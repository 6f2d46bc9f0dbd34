# OpenID Connect protocol pieces (no httpd): discovery, JWKS, JWS and ID token checks, PKCE, the
# authorization request (in the URL or pushed), the token request and response, private_key_jwt,
# the back-channel logout token and the end-session request.
lib_libforesatt_la_SOURCES += \
	lib/oidc/discovery.c lib/oidc/discovery.h \
	lib/oidc/jwks.c lib/oidc/jwks.h \
	lib/oidc/jws_verify.c lib/oidc/jws_verify.h \
	lib/oidc/jwt_claims.c lib/oidc/jwt_claims.h \
	lib/oidc/id_token.c lib/oidc/id_token.h \
	lib/oidc/logout_token.c lib/oidc/logout_token.h \
	lib/oidc/end_session.c lib/oidc/end_session.h \
	lib/oidc/par.c lib/oidc/par.h \
	lib/oidc/pkce.c lib/oidc/pkce.h \
	lib/oidc/auth_request.c lib/oidc/auth_request.h \
	lib/oidc/token.c lib/oidc/token.h \
	lib/oidc/client_assertion.c lib/oidc/client_assertion.h

# Unit tests of the login's core pieces (this folder, lib/session, return URLs, encodings).
LOGIN_UNIT_CFLAGS = $(UNIT_CFLAGS) $(OPENSSL_CFLAGS) $(CJOSE_CFLAGS) $(JANSSON_CFLAGS)
LOGIN_UNIT_LDADD = $(UNIT_LDADD) $(OPENSSL_LIBS) $(CJOSE_LIBS) $(JANSSON_LIBS)
EXTRA_DIST += tests/unit/unit_main.h tests/unit/jwt_helper.h

check_PROGRAMS += tests/unit/check_encoding
tests_unit_check_encoding_SOURCES = tests/unit/check_encoding.c
tests_unit_check_encoding_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_encoding_LDADD = $(LOGIN_UNIT_LDADD)

check_PROGRAMS += tests/unit/check_return_url
tests_unit_check_return_url_SOURCES = tests/unit/check_return_url.c
tests_unit_check_return_url_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_return_url_LDADD = $(LOGIN_UNIT_LDADD)

check_PROGRAMS += tests/unit/check_oidc_discovery
tests_unit_check_oidc_discovery_SOURCES = tests/unit/check_oidc_discovery.c
tests_unit_check_oidc_discovery_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_oidc_discovery_LDADD = $(LOGIN_UNIT_LDADD)

check_PROGRAMS += tests/unit/check_oidc_jws
tests_unit_check_oidc_jws_SOURCES = tests/unit/check_oidc_jws.c tests/unit/jwt_helper.c
tests_unit_check_oidc_jws_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_oidc_jws_LDADD = $(LOGIN_UNIT_LDADD)

check_PROGRAMS += tests/unit/check_oidc_id_token
tests_unit_check_oidc_id_token_SOURCES = tests/unit/check_oidc_id_token.c
tests_unit_check_oidc_id_token_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_oidc_id_token_LDADD = $(LOGIN_UNIT_LDADD)

check_PROGRAMS += tests/unit/check_oidc_protocol
tests_unit_check_oidc_protocol_SOURCES = tests/unit/check_oidc_protocol.c tests/unit/jwt_helper.c
tests_unit_check_oidc_protocol_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_oidc_protocol_LDADD = $(LOGIN_UNIT_LDADD)

check_PROGRAMS += tests/unit/check_oidc_logout
tests_unit_check_oidc_logout_SOURCES = tests/unit/check_oidc_logout.c tests/unit/jwt_helper.c
tests_unit_check_oidc_logout_CFLAGS = $(LOGIN_UNIT_CFLAGS)
tests_unit_check_oidc_logout_LDADD = $(LOGIN_UNIT_LDADD)
