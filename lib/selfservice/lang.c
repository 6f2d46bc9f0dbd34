/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Choosing the page language (lang.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "selfservice/lang.h"

#define TAG_MAX 32

const char *fst_lang_code(fst_lang_t lang)
{
    return lang == FST_LANG_EN ? "en" : "nb";
}

/* The primary subtag of tag (len bytes) as one of ours. */
static int primary(const char *tag, size_t len, fst_lang_t *lang)
{
    size_t n = 0;

    while (n < len && tag[n] != '-' && tag[n] != '_')
        n++;
    if (n != 2)
        return 0;
    if (strncasecmp(tag, "en", 2) == 0)
        *lang = FST_LANG_EN;
    else if (strncasecmp(tag, "nb", 2) == 0 || strncasecmp(tag, "nn", 2) == 0 || strncasecmp(tag, "no", 2) == 0)
        *lang = FST_LANG_NB;
    else
        return 0;
    return 1;
}

int fst_lang_parse(const char *code, fst_lang_t *lang)
{
    size_t n;

    if (code == NULL)
        return 0;
    n = strlen(code);
    if (n != 2 && (n < 4 || n > TAG_MAX || (code[2] != '-' && code[2] != '_')))
        return 0;
    return primary(code, n, lang);
}

/* q of ";q=0.5" parameters (1000ths); 1000 when absent, -1 when malformed. */
static int quality(const char *p, const char *end)
{
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        while (p < stop && (*p == ' ' || *p == '\t'))
            p++;
        if (stop - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            int q = 0, scale = 1000, digits = 0;
            p += 2;
            if (p < stop && (*p == '0' || *p == '1')) {
                q = (*p - '0') * 1000;
                p++;
            }
            else
                return -1;
            if (p < stop && *p == '.') {
                for (p++; p < stop && *p >= '0' && *p <= '9' && digits < 3; p++, digits++) {
                    scale /= 10;
                    q += (*p - '0') * scale;
                }
            }
            while (p < stop && (*p == ' ' || *p == '\t'))
                p++;
            if (p != stop || q > 1000)
                return -1;
            return q;
        }
        p = semi ? semi + 1 : end;
    }
    return 1000;
}

fst_lang_t fst_lang_negotiate(const char *query, const char *accept)
{
    fst_lang_t lang = FST_LANG_NB, best_lang = FST_LANG_NB;
    int best_q = 0;
    const char *p, *end;

    if (fst_lang_parse(query, &lang))
        return lang;
    if (accept == NULL || strlen(accept) > 1024)
        return FST_LANG_NB;
    for (p = accept; *p; p = *end ? end + 1 : end) {
        const char *tag, *semi, *tag_end;
        int q;

        end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        tag = p;
        for (semi = p; semi < end && *semi != ';'; semi++)
            ;
        if (semi == end)
            semi = NULL;
        tag_end = semi ? semi : end;
        while (tag_end > tag && (tag_end[-1] == ' ' || tag_end[-1] == '\t'))
            tag_end--;
        q = semi ? quality(semi + 1, end) : 1000;
        if (q <= best_q || !primary(tag, (size_t)(tag_end - tag), &lang))
            continue;
        best_q = q;
        best_lang = lang;
    }
    return best_lang;
}
