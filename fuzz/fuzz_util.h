/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared by the fuzz targets: an APR pool per input, and FUZZ_ASSERT for invariants (a failed
 * invariant aborts, so libFuzzer keeps the input and the corpus replay in `make check` fails).
 * Statics here are the harness's own one-time setup, as libFuzzer's model requires.
 */
#ifndef FST_FUZZ_UTIL_H
#define FST_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One-time setup kept for the whole run (keys, a parsed JWKS) lives in APR pools, and Debian's APR
 * maps pool memory with mmap, where LeakSanitizer does not look for pointers: it would report what
 * the setup keeps as leaked. Setup runs between FUZZ_KEEP_BEGIN and FUZZ_KEEP_END; every input's
 * own allocations stay under the leak check. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/lsan_interface.h>
#define FUZZ_KEEP_BEGIN() __lsan_disable()
#define FUZZ_KEEP_END() __lsan_enable()
#else
#define FUZZ_KEEP_BEGIN() ((void)0)
#define FUZZ_KEEP_END() ((void)0)
#endif

#define FUZZ_ASSERT(cond)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                     \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* A fresh pool for one input (APR initialised on first use). Destroy it at the end of the input. */
static inline apr_pool_t *fuzz_pool(void)
{
    static int initialized;
    apr_pool_t *pool = NULL;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    apr_pool_create(&pool, NULL);
    return pool;
}

/* The input as a NUL-terminated string in pool (embedded NULs end it early, as C callers see it). */
static inline char *fuzz_cstring(apr_pool_t *pool, const uint8_t *data, size_t size)
{
    char *s = apr_palloc(pool, size + 1);

    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Every byte of s is printable ASCII. */
static inline int fuzz_printable(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

#endif
