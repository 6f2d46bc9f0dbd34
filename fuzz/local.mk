# Fuzz targets (libFuzzer entry points). Each fuzz/fuzz_<name>.c is built twice:
#  - as fuzz/replay_<name> (any compiler) that `make check` runs over fuzz/corpus/<name>/;
#  - by `make fuzz` with clang's libFuzzer + ASan + UBSan, run for FUZZ_SECONDS each.
# Add a target: write fuzz/fuzz_<name>.c, seed fuzz/corpus/<name>/ (fuzz/make_seeds writes the
# seeds the code itself produces), add <name> to FUZZ_TARGETS and a replay program below.
# Targets that reach a static function of the glue or a plugin #include that one .c file.
FUZZ_TARGETS = fnr config_words session_cookie state_cookie cookie_header freg jws id_token jwks discovery \
	token_response roster return_url encoding retry_after selfservice logout_token par_response \
	profile_post feed
EXTRA_DIST += fuzz/corpus fuzz/run-fuzzers fuzz/replay-corpora fuzz/fuzz_util.h fuzz/fuzz_sealed.h \
	fuzz/fuzz_jose.h fuzz/fuzz_keys.h

FUZZ_REPLAY_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(CJOSE_CFLAGS) $(JANSSON_CFLAGS)
FUZZ_REPLAY_LDADD = lib/libforesatt.la $(APR_LIBS) $(OPENSSL_LIBS) $(CJOSE_LIBS) $(JANSSON_LIBS)

noinst_PROGRAMS += fuzz/replay_fnr fuzz/replay_config_words fuzz/replay_session_cookie fuzz/replay_state_cookie \
	fuzz/replay_cookie_header fuzz/replay_freg fuzz/replay_jws fuzz/replay_id_token fuzz/replay_jwks \
	fuzz/replay_discovery fuzz/replay_token_response fuzz/replay_roster fuzz/replay_return_url \
	fuzz/replay_encoding fuzz/replay_retry_after fuzz/replay_selfservice fuzz/replay_logout_token \
	fuzz/replay_par_response fuzz/replay_profile_post fuzz/replay_feed
fuzz_replay_fnr_SOURCES = fuzz/fuzz_fnr.c fuzz/replay.c
fuzz_replay_fnr_LDADD = lib/libforesatt.la $(APR_LIBS)
fuzz_replay_config_words_SOURCES = fuzz/fuzz_config_words.c fuzz/replay.c
fuzz_replay_config_words_LDADD = lib/libforesatt.la $(APR_LIBS)
fuzz_replay_session_cookie_SOURCES = fuzz/fuzz_session_cookie.c fuzz/replay.c
fuzz_replay_session_cookie_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_session_cookie_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_state_cookie_SOURCES = fuzz/fuzz_state_cookie.c fuzz/replay.c
fuzz_replay_state_cookie_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_state_cookie_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_cookie_header_SOURCES = fuzz/fuzz_cookie_header.c fuzz/replay.c
fuzz_replay_cookie_header_CPPFLAGS = $(AM_CPPFLAGS) $(HTTPD_CPPFLAGS) -I$(top_srcdir)/mod_foresatt
fuzz_replay_cookie_header_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_cookie_header_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_freg_SOURCES = fuzz/fuzz_freg.c fuzz/replay.c
fuzz_replay_freg_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_freg_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_jws_SOURCES = fuzz/fuzz_jws.c fuzz/replay.c
fuzz_replay_jws_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_jws_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_id_token_SOURCES = fuzz/fuzz_id_token.c fuzz/replay.c
fuzz_replay_id_token_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_id_token_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_jwks_SOURCES = fuzz/fuzz_jwks.c fuzz/replay.c
fuzz_replay_jwks_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_jwks_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_discovery_SOURCES = fuzz/fuzz_discovery.c fuzz/replay.c
fuzz_replay_discovery_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_discovery_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_token_response_SOURCES = fuzz/fuzz_token_response.c fuzz/replay.c
fuzz_replay_token_response_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_token_response_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_logout_token_SOURCES = fuzz/fuzz_logout_token.c fuzz/replay.c
fuzz_replay_logout_token_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_logout_token_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_par_response_SOURCES = fuzz/fuzz_par_response.c fuzz/replay.c
fuzz_replay_par_response_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_par_response_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_roster_SOURCES = fuzz/fuzz_roster.c fuzz/replay.c
fuzz_replay_roster_LDADD = lib/libforesatt.la $(APR_LIBS)
fuzz_replay_return_url_SOURCES = fuzz/fuzz_return_url.c fuzz/replay.c
fuzz_replay_return_url_LDADD = lib/libforesatt.la $(APR_LIBS)
fuzz_replay_encoding_SOURCES = fuzz/fuzz_encoding.c fuzz/replay.c
fuzz_replay_encoding_LDADD = lib/libforesatt.la $(APR_LIBS)
fuzz_replay_retry_after_SOURCES = fuzz/fuzz_retry_after.c fuzz/replay.c
fuzz_replay_retry_after_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/common -I$(top_srcdir)/plugins/registry_freg
fuzz_replay_retry_after_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
fuzz_replay_retry_after_LDADD = lib/libforesatt.la $(APR_LIBS) $(CURL_LIBS) -lpthread

fuzz_replay_feed_SOURCES = fuzz/fuzz_feed.c fuzz/replay.c
fuzz_replay_feed_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/common
fuzz_replay_feed_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_feed_LDADD = $(FUZZ_REPLAY_LDADD)

fuzz_replay_selfservice_SOURCES = fuzz/fuzz_selfservice.c fuzz/replay.c
fuzz_replay_selfservice_LDADD = lib/libforesatt.la $(APR_LIBS)
fuzz_replay_profile_post_SOURCES = fuzz/fuzz_profile_post.c fuzz/replay.c
fuzz_replay_profile_post_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_replay_profile_post_LDADD = lib/libforesatt.la $(APR_LIBS) $(JANSSON_LIBS)

# Seeds the code itself produces (sealed cookies, signed tokens): fuzz/make_seeds DIR writes them.
noinst_PROGRAMS += fuzz/make_seeds
fuzz_make_seeds_SOURCES = fuzz/make_seeds.c
fuzz_make_seeds_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_make_seeds_LDADD = $(FUZZ_REPLAY_LDADD)

TESTS += fuzz/replay-corpora
TESTS_ENVIRONMENT_VARS += FUZZ_TARGETS='$(FUZZ_TARGETS)'

FUZZ_SECONDS ?= 60
fuzz: lib/libforesatt.la
	FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	FUZZ_CORE_SOURCES='$(filter %.c,$(lib_libforesatt_la_SOURCES))' \
	FUZZ_CFLAGS='$(AM_CPPFLAGS) $(HTTPD_CPPFLAGS) -I$(top_srcdir)/mod_foresatt -I$(top_srcdir)/plugins/common -I$(top_srcdir)/plugins/registry_freg $(OPENSSL_CFLAGS) $(OAUTH2_CFLAGS) $(CJOSE_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)' \
	FUZZ_LIBS='$(APR_LIBS) $(OPENSSL_LIBS) $(OAUTH2_LIBS) $(CJOSE_LIBS) $(CURL_LIBS) $(JANSSON_LIBS) $(SQLITE_LIBS) -ldl -lpthread' \
	$(SHELL) $(srcdir)/fuzz/run-fuzzers
.PHONY: fuzz
