# The httpd glue: thin, one file per concern.
apachemod_LTLIBRARIES += mod_foresatt/mod_foresatt.la
mod_foresatt_mod_foresatt_la_SOURCES = \
	mod_foresatt/mod_foresatt.c mod_foresatt/mod_foresatt.h \
	mod_foresatt/log_glue.c \
	mod_foresatt/config_plugins.c \
	mod_foresatt/config_store.c \
	mod_foresatt/config_registry.c mod_foresatt/registry.h \
	mod_foresatt/identity.c mod_foresatt/identity.h \
	mod_foresatt/authz.h mod_foresatt/config_authz.c mod_foresatt/authz_providers.c \
	mod_foresatt/authz_decision.c mod_foresatt/authz_pages.c mod_foresatt/authz_headers.c \
	mod_foresatt/audit.c mod_foresatt/scrub.c mod_foresatt/identity_external.c mod_foresatt/scrub.h \
	mod_foresatt/oidc.h mod_foresatt/config_oidc.c mod_foresatt/op_cache.c mod_foresatt/revocation_shm.c \
	mod_foresatt/cookies.c mod_foresatt/authn.c mod_foresatt/handlers.c mod_foresatt/pages.c \
	mod_foresatt/handle_login.c mod_foresatt/handle_callback.c mod_foresatt/handle_logout.c
mod_foresatt_mod_foresatt_la_CPPFLAGS = $(AM_CPPFLAGS) $(HTTPD_CPPFLAGS)
mod_foresatt_mod_foresatt_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(OAUTH2_CFLAGS) $(CJOSE_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
mod_foresatt_mod_foresatt_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared
mod_foresatt_mod_foresatt_la_LIBADD = lib/libforesatt.la
