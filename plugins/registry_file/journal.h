/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * registry_file's event journal (events=FILE): the register's event feed as a file, for the demo
 * and tests. One event per line, in the feed's own shape (plugins/common/freg_feed.h):
 *
 *   {"sekvensnummer": 1, "hendelse": {"folkeregisteridentifikator": "14838000089",
 *                                     "hendelsetype": "endringIAdressebeskyttelse"}}
 *
 * Blank lines and lines starting with '#' are skipped; sequence numbers must grow from line to
 * line. A file that does not exist (yet) is an empty feed. The file is read on every call, so lines
 * appended while the plugin runs are seen.
 */
#ifndef RF_JOURNAL_H
#define RF_JOURNAL_H

#include "foresatt/plugin.h"

foresatt_result_t rf_journal_latest(const foresatt_host_t *host, const char *path, int64_t *sequence,
                                    foresatt_status_t *status);
foresatt_result_t rf_journal_read(const foresatt_host_t *host, const char *path, int64_t from, size_t max,
                                  foresatt_arena_t *arena, foresatt_event_t **events, size_t *n,
                                  foresatt_status_t *status);

#endif
