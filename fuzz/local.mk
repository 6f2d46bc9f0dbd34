# Fuzz targets (libFuzzer entry points). Each fuzz/fuzz_<name>.c is built twice:
#  - as fuzz/replay_<name> (any compiler) that `make check` runs over fuzz/corpus/<name>/;
#  - by `make fuzz` with clang's libFuzzer + ASan + UBSan, run for FUZZ_SECONDS each.
# Add a target: write fuzz/fuzz_<name>.c, seed fuzz/corpus/<name>/, add <name> to FUZZ_TARGETS
# and a replay program below.
FUZZ_TARGETS = fnr config_words roster
EXTRA_DIST += fuzz/corpus fuzz/run-fuzzers fuzz/replay-corpora

noinst_PROGRAMS += fuzz/replay_fnr fuzz/replay_config_words fuzz/replay_roster
fuzz_replay_fnr_SOURCES = fuzz/fuzz_fnr.c fuzz/replay.c
fuzz_replay_fnr_LDADD = lib/libforesatt.la $(APR_LIBS)
fuzz_replay_config_words_SOURCES = fuzz/fuzz_config_words.c fuzz/replay.c
fuzz_replay_config_words_LDADD = lib/libforesatt.la $(APR_LIBS)
fuzz_replay_roster_SOURCES = fuzz/fuzz_roster.c fuzz/replay.c
fuzz_replay_roster_LDADD = lib/libforesatt.la $(APR_LIBS)

TESTS += fuzz/replay-corpora
TESTS_ENVIRONMENT_VARS += FUZZ_TARGETS='$(FUZZ_TARGETS)'

FUZZ_SECONDS ?= 60
fuzz: lib/libforesatt.la
	FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	FUZZ_CORE_SOURCES='$(filter %.c,$(lib_libforesatt_la_SOURCES))' \
	FUZZ_CFLAGS='$(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(OAUTH2_CFLAGS) $(CJOSE_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)' \
	FUZZ_LIBS='$(APR_LIBS) $(OPENSSL_LIBS) $(OAUTH2_LIBS) $(CJOSE_LIBS) $(CURL_LIBS) $(JANSSON_LIBS) $(SQLITE_LIBS) -ldl' \
	$(SHELL) $(srcdir)/fuzz/run-fuzzers
.PHONY: fuzz
