# Benchmarks: programs and scripts that report numbers (bench/*.py run them); nothing here is a test.
EXTRA_DIST += bench/store.py bench/roster_memory.py bench/authz.py bench/pages.py bench/login_session.py bench/run bench/profile \
	bench/follow.py
noinst_PROGRAMS += bench/bench_decide
bench_bench_decide_SOURCES = bench/bench_decide.c
bench_bench_decide_LDADD = lib/libforesatt.la $(APR_LIBS)
noinst_PROGRAMS += bench/bench_session
bench_bench_session_SOURCES = bench/bench_session.c
bench_bench_session_LDADD = lib/libforesatt.la $(APR_LIBS)
