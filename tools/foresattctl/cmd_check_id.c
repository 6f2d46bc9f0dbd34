/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * check-id NUMBER: is this a valid fødselsnummer, D-nummer or synthetic test number?
 */
#include <stdio.h>

#include "ctl.h"
#include "fnr.h"

static void help(void)
{
    printf("usage: foresattctl check-id NUMBER\n\n"
           "Checks an 11-digit identity number. Prints its kind (fnr, dnr, synthetic, synthetic-nav;\n"
           "'dnr' is added for synthetic D-numbers) and exits 0 when valid; prints why and exits 1 when not.\n");
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    fst_id_info_t info;
    fst_id_error_t err;

    (void)env;
    if (argc != 2) {
        fprintf(stderr, "foresattctl check-id: give exactly one number\n");
        return CTL_EXIT_USAGE;
    }
    err = fst_id_parse(argv[1], &info);
    if (err != FST_ID_OK) {
        printf("invalid: %s\n", fst_id_error_text(err));
        return CTL_EXIT_INVALID;
    }
    printf("%s%s%s\n", fst_id_kind_name(info.kind),
           info.is_dnumber && info.kind != FST_ID_DNR ? " dnr" : "",
           info.new_rule ? " (check digits under the 2032 rule)" : "");
    return CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_check_id = {"check-id", "validate a fødselsnummer / D-nummer", run, help};
