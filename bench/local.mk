# Benchmarks: programs and scripts that report numbers (bench/*.py run them); nothing here is a test.
EXTRA_DIST += bench/store.py bench/authz.py bench/pages.py
noinst_PROGRAMS += bench/bench_decide
bench_bench_decide_SOURCES = bench/bench_decide.c
bench_bench_decide_LDADD = lib/libforesatt.la $(APR_LIBS)
