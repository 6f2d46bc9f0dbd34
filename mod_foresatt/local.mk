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
	mod_foresatt/handle_login.c mod_foresatt/handle_callback.c mod_foresatt/handle_logout.c \
	mod_foresatt/selfservice.h mod_foresatt/config_selfservice.c mod_foresatt/selfservice.c \
	mod_foresatt/page_profile.c mod_foresatt/page_consent.c
nodist_mod_foresatt_mod_foresatt_la_SOURCES = mod_foresatt/templates_builtin.c
# -I for templates_builtin.c, which is generated in the build tree (a VPATH build: make distcheck)
mod_foresatt_mod_foresatt_la_CPPFLAGS = $(AM_CPPFLAGS) $(HTTPD_CPPFLAGS) -I$(top_srcdir)/mod_foresatt
mod_foresatt_mod_foresatt_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(OAUTH2_CFLAGS) $(CJOSE_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
mod_foresatt_mod_foresatt_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared
mod_foresatt_mod_foresatt_la_LIBADD = lib/libforesatt.la

# The self-service pages' built-in templates, compiled in (scripts/embed-templates).
FS_PAGE_TEMPLATES = \
	mod_foresatt/templates/layout.nb.html mod_foresatt/templates/layout.en.html \
	mod_foresatt/templates/profil.nb.html mod_foresatt/templates/profil.en.html \
	mod_foresatt/templates/samtykke.nb.html mod_foresatt/templates/samtykke.en.html \
	mod_foresatt/templates/melding.nb.html mod_foresatt/templates/melding.en.html \
	mod_foresatt/templates/stil.css \
	conf/informasjon.nb.html conf/informasjon.en.html
EXTRA_DIST += $(FS_PAGE_TEMPLATES)
BUILT_SOURCES = mod_foresatt/templates_builtin.c
CLEANFILES += mod_foresatt/templates_builtin.c
mod_foresatt/templates_builtin.c: $(FS_PAGE_TEMPLATES) $(top_srcdir)/scripts/embed-templates
	$(AM_V_GEN)mkdir -p mod_foresatt && cd $(srcdir) && $(SHELL) scripts/embed-templates $(abs_builddir)/$@ $(FS_PAGE_TEMPLATES)
