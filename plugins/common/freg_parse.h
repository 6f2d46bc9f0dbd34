/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The one parser of Folkeregisteret's person documents ("offentlig med hjemmel", parts person-basis
 * and relasjon-utvidet) into foresatt_person_t. Both register plugins compile it in; it allocates
 * only through the host's arena callbacks, so results live as long as the caller's arena.
 *
 * What it keeps (everything else is ignored, unknown fields included):
 *   - one entry of each single-valued part (identifikasjonsnummer in use, navn, foedsel, status,
 *     bostedsadresse): the first that is current, i.e. erGjeldende true and no opphoerstidspunkt at or
 *     before `now`;
 *   - every foreldreansvar entry that is current, and every one that ended (opphoerstidspunkt set),
 *     with current = 0 and ended_at: the access rule needs the entry that ended at 18. Entries that
 *     are neither (erGjeldende false, no end: superseded by a correction) are dropped;
 *   - current familierelasjon entries;
 *   - the address grading, the stricter of bostedsadresse.adressegradering and adressebeskyttelse.
 *     For fortrolig and strengtFortrolig (and any grading this parser does not know) no part of the
 *     address is carried at all: has_address is 1, the grading is set, every field is NULL.
 *
 * Bounded: documents larger than the limits below or nested deeper than FREG_MAX_DEPTH are
 * refused before they are parsed; a known field of the wrong type, a malformed date or identity
 * number is FORESATT_ERROR with a message naming the field. Never crashes, never logs content.
 */
#ifndef FREG_PARSE_H
#define FREG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "foresatt/plugin.h"

#define FREG_MAX_DOCUMENT (1024u * 1024u)        /* one person document */
#define FREG_MAX_BULK (32u * 1024u * 1024u)      /* one bulkoppslag answer (up to 1000 persons) */
#define FREG_MAX_DEPTH 24                        /* real documents nest about 5 deep */
#define FREG_MAX_ENTRIES 512                     /* entries kept per part */

/* One person document, as GET personer/{id} and registry_file's files hold it.
 * FORESATT_OK with *person set, or FORESATT_ERROR with status->message. */
foresatt_result_t freg_parse_person(const foresatt_host_t *host, foresatt_arena_t *arena, const char *json,
                                    size_t len, int64_t now, foresatt_person_t **person,
                                    foresatt_status_t *status);

/* A POST personer/bulkoppslag answer: {"oppslag":[{"foedselsEllerDNummer":..,"folkeregisterperson":{..}}
 * or {..,"feilmelding":{..}}]}. persons[i] is set for numbers[i] when the answer holds a person for
 * it, NULL otherwise (not in the answer, or answered with a feilmelding). FORESATT_OK, or
 * FORESATT_ERROR when the answer or any person in it is malformed. */
foresatt_result_t freg_parse_bulk(const foresatt_host_t *host, foresatt_arena_t *arena, const char *json,
                                  size_t len, int64_t now, const char *const *numbers, size_t n,
                                  foresatt_person_t **persons, foresatt_status_t *status);

/* RFC 3339 date-time (Z or ±hh:mm, optional fraction) to Unix seconds. Returns 1 on success. */
int freg_parse_time(const char *s, int64_t *out);

/* Non-zero when json[0..len) nests objects/arrays at most max_depth deep (strings skipped). */
int freg_depth_ok(const char *json, size_t len, int max_depth);

/* Non-zero when s is exactly 11 ASCII digits (the shape, not the check digits). */
int freg_number_shape(const char *s);

#endif
