# The httpd glue: one folder per concern (HACKING.md draws the house). Files include
# "<folder>/<header>" from here, so -I$(top_srcdir)/mod_foresatt.
apachemod_LTLIBRARIES += mod_foresatt/mod_foresatt.la
mod_foresatt_mod_foresatt_la_SOURCES = \
	mod_foresatt/mod_foresatt.c \
	mod_foresatt/core/core.h mod_foresatt/core/log.c mod_foresatt/core/directives.c mod_foresatt/core/plugins.c \
	mod_foresatt/core/store.c mod_foresatt/core/registry.c mod_foresatt/core/sections.c \
	mod_foresatt/http/http.h mod_foresatt/http/scrub.c mod_foresatt/http/params.c mod_foresatt/http/headers.c \
	mod_foresatt/session/identity.h mod_foresatt/session/config.c mod_foresatt/session/cookies.c \
	mod_foresatt/session/identity.c mod_foresatt/session/ended.c mod_foresatt/session/external.c \
	mod_foresatt/login/login.h mod_foresatt/login/config.c mod_foresatt/login/op_cache.c \
	mod_foresatt/login/authn.c mod_foresatt/login/handlers.c mod_foresatt/login/start.c \
	mod_foresatt/login/callback.c mod_foresatt/login/logout.c mod_foresatt/login/pages.c \
	mod_foresatt/authz/authz.h mod_foresatt/authz/config.c mod_foresatt/authz/providers.c \
	mod_foresatt/authz/decision.c mod_foresatt/authz/headers.c mod_foresatt/authz/pages.c \
	mod_foresatt/authz/audit.c mod_foresatt/authz/outcome.c \
	mod_foresatt/pages/pages.h mod_foresatt/pages/config.c mod_foresatt/pages/selfservice.c \
	mod_foresatt/pages/profile.c mod_foresatt/pages/consent.c
nodist_mod_foresatt_mod_foresatt_la_SOURCES = mod_foresatt/pages/templates_builtin.c
mod_foresatt_mod_foresatt_la_CPPFLAGS = $(AM_CPPFLAGS) $(HTTPD_CPPFLAGS) -I$(top_srcdir)/mod_foresatt
# Hidden: the module exports only foresatt_module (tests/integration/test_01_foundation.py checks).
mod_foresatt_mod_foresatt_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(OPENSSL_CFLAGS) $(OAUTH2_CFLAGS) $(CJOSE_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
mod_foresatt_mod_foresatt_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared
mod_foresatt_mod_foresatt_la_LIBADD = lib/libforesatt.la

# The self-service pages' built-in templates, compiled in (scripts/embed-templates). The generated
# file is in the build tree (a VPATH build: make distcheck) and finds pages/pages.h through the -I above.
FS_PAGE_TEMPLATES = \
	mod_foresatt/pages/templates/layout.nb.html mod_foresatt/pages/templates/layout.en.html \
	mod_foresatt/pages/templates/profil.nb.html mod_foresatt/pages/templates/profil.en.html \
	mod_foresatt/pages/templates/samtykke.nb.html mod_foresatt/pages/templates/samtykke.en.html \
	mod_foresatt/pages/templates/melding.nb.html mod_foresatt/pages/templates/melding.en.html \
	mod_foresatt/pages/templates/stil.css \
	conf/informasjon.nb.html conf/informasjon.en.html
EXTRA_DIST += $(FS_PAGE_TEMPLATES)
BUILT_SOURCES = mod_foresatt/pages/templates_builtin.c
CLEANFILES += mod_foresatt/pages/templates_builtin.c
mod_foresatt/pages/templates_builtin.c: $(FS_PAGE_TEMPLATES) $(top_srcdir)/scripts/embed-templates
	$(AM_V_GEN)mkdir -p mod_foresatt/pages && cd $(srcdir) && $(SHELL) scripts/embed-templates $(abs_builddir)/$@ $(FS_PAGE_TEMPLATES)
