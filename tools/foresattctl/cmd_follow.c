/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * follow: the register's event feed, applied as it comes (lib/regsync/follow.h does the work).
 * As a service it runs a round every --interval seconds until SIGTERM or SIGINT; the signals are
 * blocked during a round and waited for between rounds, so a stop never cuts a round short of
 * recording what it applied.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "ctl.h"
#include "regsync/follow.h"
#include "session/cookie_crypto.h"

#define INTERVAL_DEFAULT 60
#define INTERVAL_MAX 3600

static void help(void)
{
    printf("usage: foresattctl follow [--once] [--interval SECONDS] [--from-latest | --from SEQUENCE]\n"
           "                          [--feed NAME] [--verbose]\n\n"
           "Follows the register's event feed (Folkeregisteret's hendelsesliste through the ForesattRegistry\n"
           "plugin): reads the events after the position the store recorded, keeps those about persons the\n"
           "school holds (pupils and registered guardians), looks each of them up again and applies what\n"
           "the register says (names, graded addresses, changed numbers, deaths), recording the position\n"
           "after every event in the same transaction. Every httpd child then drops what it cached about\n"
           "those persons, and every session's decision is made again on its next request.\n"
           "The first run starts at the register's newest event: run 'foresattctl sync --apply' for what\n"
           "happened before.\n\n"
           "  --once             one round, then exit (from a timer)\n"
           "  --interval SECONDS between rounds as a service (default %d, the register's advice; 1 to %d)\n"
           "  --from-latest      start at the register's newest event, whatever the store recorded\n"
           "  --from SEQUENCE    start at this sequence number\n"
           "  --feed NAME        the position's name in the store (default: the ForesattRegistry plugin's)\n"
           "  --verbose          one line per event applied (pseudonyms, never numbers)\n\n"
           "Exit status: 0 done (--once) or stopped by SIGTERM/SIGINT; 2 usage; 3 configuration (the register\n"
           "has no event feed, or the store plugin is older than ABI 1.2); 4 the register or the store failed\n"
           "(--once; as a service it tries again after the interval or the register's Retry-After);\n"
           "5 the register no longer keeps the events after the stored position: run 'foresattctl sync\n"
           "--apply', then 'foresattctl follow --from-latest'.\n",
           INTERVAL_DEFAULT, INTERVAL_MAX);
}

static int parse_seconds(const char *s, long min, long max, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(s, &end, 10);
    return *s && *end == '\0' && errno == 0 && *out >= min && *out <= max;
}

static void report(const fst_follow_stats_t *s, int once)
{
    char changes[160] = "";
    size_t k, used = 0;

    for (k = 1; k <= 6; k++)
        if (s->changes[k])
            used += (size_t)snprintf(changes + used, sizeof(changes) - used, "%s%s %zu", used ? ", " : "",
                                     fst_regsync_change_name((foresatt_change_kind_t)k), s->changes[k]);
    if (s->started)
        printf("follow: started at sequence %lld (the register's events before are sync's to bring in)\n",
               (long long)s->from);
    if (s->events == 0 && !once)
        return;
    printf("follow: %zu event%s read (to sequence %lld), %zu about the school's persons, %zu looked up in %zu "
           "call%s, %zu applied%s%s%s\n",
           s->events, s->events == 1 ? "" : "s", (long long)s->position, s->held, s->looked_up, s->lookup_calls,
           s->lookup_calls == 1 ? "" : "s", s->applied, used ? " (" : "", changes, used ? ")" : "");
    fflush(stdout);
}

static void stdout_sink(void *ctx, foresatt_log_level_t level, const char *msg)
{
    (void)ctx;
    (void)level;
    printf("follow: %s\n", msg);
    fflush(stdout);
}

/* Wait up to seconds for SIGTERM / SIGINT (blocked in this process). 1 when one came. */
static int wait_for_stop(const sigset_t *stop, long seconds)
{
    struct timespec ts;

    ts.tv_sec = seconds;
    ts.tv_nsec = 0;
    for (;;) {
        int sig = sigtimedwait(stop, NULL, &ts);
        if (sig > 0)
            return 1;
        if (errno == EAGAIN)
            return 0;
        /* EINTR: another signal; wait again (for at most the same time: good enough) */
    }
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    fst_follow_config_t cfg;
    ctl_pseudonyms_t ps;
    fst_log_t lines;
    sigset_t stop;
    long interval = INTERVAL_DEFAULT, from = 0;
    int once = 0, exit_code, a;
    apr_pool_t *round_pool;

    memset(&cfg, 0, sizeof(cfg));
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--once") == 0) {
            once = 1;
        } else if (strcmp(argv[a], "--interval") == 0 && a + 1 < argc) {
            if (!parse_seconds(argv[++a], 1, INTERVAL_MAX, &interval)) {
                fprintf(stderr, "foresattctl follow: --interval %s: give whole seconds from 1 to %d\n", argv[a],
                        INTERVAL_MAX);
                return CTL_EXIT_USAGE;
            }
        } else if (strcmp(argv[a], "--from-latest") == 0 && cfg.start == FST_FOLLOW_RESUME) {
            cfg.start = FST_FOLLOW_FROM_LATEST;
        } else if (strcmp(argv[a], "--from") == 0 && a + 1 < argc && cfg.start == FST_FOLLOW_RESUME) {
            if (!parse_seconds(argv[++a], 1, 0x7fffffffL, &from)) {
                fprintf(stderr, "foresattctl follow: --from %s: give a sequence number (1 or more)\n", argv[a]);
                return CTL_EXIT_USAGE;
            }
            cfg.start = FST_FOLLOW_FROM_SEQUENCE;
            cfg.from = from;
        } else if (strcmp(argv[a], "--feed") == 0 && a + 1 < argc && argv[a + 1][0] != '\0' &&
                   strlen(argv[a + 1]) <= FORESATT_MAX_ID_LEN) {
            cfg.feed = argv[++a];
        } else if (strcmp(argv[a], "--verbose") == 0) {
            env->verbose = 1;
        } else {
            fprintf(stderr, "foresattctl follow: unexpected '%s' (see foresattctl follow --help)\n", argv[a]);
            return CTL_EXIT_USAGE;
        }
    }
    if ((exit_code = ctl_load_config(env, CTL_NEED_STORE | CTL_NEED_REGISTRY)) != CTL_EXIT_OK)
        return exit_code;

    memset(&ps, 0, sizeof(ps));
    ps.have_key = ctl_pseudonym_key(env, ps.key);
    if (!ps.have_key)
        fprintf(stderr, "foresattctl follow: no ForesattPseudonymSecret or ForesattCryptoPassphrase in %s: a changed "
                        "number moves the school's records but not the audit log's entries\n", env->config_path);
    if (cfg.feed == NULL)
        cfg.feed = env->registry->name;
    cfg.pseudonym = ctl_pseudonym_of;
    cfg.pseudonym_ctx = &ps;
    lines.sink = stdout_sink;
    lines.ctx = NULL;
    lines.max_level = FORESATT_LOG_INFO;
    cfg.log = env->verbose ? &lines : NULL;

    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    apr_pool_create(&round_pool, env->pool);
    for (;;) {
        fst_follow_stats_t stats;
        fst_follow_error_t err;
        fst_follow_result_t fr;
        long wait = interval;

        apr_pool_clear(round_pool);
        fr = fst_follow_round(env->registry, env->store, &cfg, (int64_t)time(NULL), round_pool, &stats, &err);
        report(&stats, once && fr == FST_FOLLOW_OK);
        cfg.start = FST_FOLLOW_RESUME; /* --from / --from-latest count for the first round only */
        switch (fr) {
        case FST_FOLLOW_OK:
            exit_code = CTL_EXIT_OK;
            break;
        case FST_FOLLOW_UNSUPPORTED:
            fprintf(stderr, "foresattctl follow: %s\n", err.message);
            return CTL_EXIT_CONFIG;
        case FST_FOLLOW_GONE:
            fprintf(stderr, "foresattctl follow: %s: run 'foresattctl sync --apply', then 'foresattctl follow "
                            "--from-latest'\n", err.message);
            return CTL_EXIT_CHANGES;
        case FST_FOLLOW_TEMPORARY:
        case FST_FOLLOW_FAILED:
            fprintf(stderr, "foresattctl follow: %s%s (the position is after sequence %lld)\n", err.message,
                    fr == FST_FOLLOW_TEMPORARY ? " (temporarily; try again)" : "", (long long)stats.position);
            if (err.retry_after > (unsigned)wait)
                wait = (long)err.retry_after;
            exit_code = CTL_EXIT_BACKEND;
            break;
        }
        if (once)
            return exit_code;
        if (wait_for_stop(&stop, wait))
            return CTL_EXIT_OK;
    }
}

const ctl_command_t ctl_cmd_follow = {"follow", "follow the register's event feed (a service, or --once)", run, help};
