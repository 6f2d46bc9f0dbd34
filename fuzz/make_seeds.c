/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Writes the seeds that only the code itself can make: cookies sealed with the fuzz targets' keys
 * (session, login state, logout hint, each also as the plaintext record after a mode byte), ID
 * tokens signed with the fuzz OP keys, good and every kind of bad, and logout token and PAR seeds. The sealed cookies differ each
 * run (fresh IVs); the corpus keeps one run's.
 *   fuzz/make_seeds fuzz/corpus
 */
#include <errno.h>
#include <sys/stat.h>

#include <openssl/hmac.h>

#include "fuzz_jose.h"
#include "fuzz_sealed.h"
#include "oidc/logout_token.h"
#include "session/session.h"

static const char *dir;

static void put(const char *target, const char *name, const void *data, size_t len, char prefix1, char prefix2)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
    f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    if (prefix1)
        fputc(prefix1, f);
    if (prefix2)
        fputc(prefix2, f);
    fwrite(data, 1, len, f);
    fclose(f);
}

static void put_text(const char *target, const char *name, const char *text)
{
    put(target, name, text, strlen(text), 0, 0);
}

/* ---- cookies --------------------------------------------------------------------------------- */

static void sessions(apr_pool_t *pool)
{
    const fuzz_sealers_t *s = fuzz_sealers();
    fst_session_t full = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                          {0},
                          1796083200,
                          1796083100,
                          1796083200 + 8 * 3600,
                          1796083200 + 1800,
                          1796083200,
                          "14838000089",
                          "p-0123456789abcdef01234567",
                          "sub-pairwise-abc",
                          "idporten-loa-substantial",
                          "op-session-1",
                          "Kari Nordmann",
                          "1|1796083200|7|S1|Kari Nordmann|S100,S101|S102:3|",
                          "logout-token-0123456789"};
    fst_session_t minimal = full;
    unsigned char *plain;
    size_t len;

    minimal.sid = minimal.name = minimal.authz_state = NULL;
    minimal.acr = NULL;
    memset(full.sid_key, 0xab, sizeof(full.sid_key));

    plain = fst_session_encode(pool, &full, &len);
    put_text("session_cookie", "sealed_full", fst_aead_seal(s->both, pool, FUZZ_AAD_SESSION, plain, len));
    put_text("session_cookie", "sealed_previous_key", fst_aead_seal(s->previous, pool, FUZZ_AAD_SESSION, plain, len));
    put_text("session_cookie", "sealed_as_state", fst_aead_seal(s->both, pool, FUZZ_AAD_STATE, plain, len));
    put("session_cookie", "plain_full", plain, len, 'P', 0);
    put("session_cookie", "plain_full_rollover", plain, len, 'R', 0);
    put("session_cookie", "plain_truncated", plain, len - 3, 'P', 0);
    plain = fst_session_encode(pool, &minimal, &len);
    put_text("session_cookie", "sealed_minimal", fst_aead_seal(s->both, pool, FUZZ_AAD_SESSION, plain, len));
    put("session_cookie", "plain_minimal", plain, len, 'P', 0);
    full.expires = INT64_MAX;
    full.idle_until = INT64_MIN;
    plain = fst_session_encode(pool, &full, &len);
    put("session_cookie", "plain_extreme_times", plain, len, 'P', 0);
    put_text("session_cookie", "not_base64", "AAAA.BBBB%%");
    put_text("session_cookie", "short", "AQ");
}

static void states(apr_pool_t *pool)
{
    const fuzz_sealers_t *s = fuzz_sealers();
    fst_login_state_t st = {"Zm9vYmFyYmF6cXV4cXV1eA", "bm9uY2Utbm9uY2Utbm9uY2U",
                            "dmVyaWZpZXItdmVyaWZpZXItdmVyaWZpZXItdmVyaWZpZXI", "/portal/elev?id=S100", 1796083200};
    fst_logout_hint_t hint = {{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, 1796083200 + 3600,
                              "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"};
    unsigned char *plain;
    size_t len;
    char *sealed;

    plain = fst_login_state_encode(pool, &st, &len);
    sealed = fst_aead_seal(s->both, pool, FUZZ_AAD_STATE, plain, len);
    put("state_cookie", "state_sealed", sealed, strlen(sealed), 'l', 0);
    sealed = fst_aead_seal(s->both, pool, FUZZ_AAD_SESSION, plain, len);
    put("state_cookie", "state_sealed_as_session", sealed, strlen(sealed), 'l', 0);
    put("state_cookie", "state_plain", plain, len, 'l', 'P');
    put("state_cookie", "state_plain_rollover", plain, len, 'l', 'R');
    st.return_url = "https://portal.example/x";
    plain = fst_login_state_encode(pool, &st, &len);
    put("state_cookie", "state_plain_absolute", plain, len, 'l', 'P');

    plain = fst_logout_hint_encode(pool, &hint, &len);
    sealed = fst_aead_seal(s->both, pool, FUZZ_AAD_LOGOUT, plain, len);
    put("state_cookie", "hint_sealed", sealed, strlen(sealed), 'o', 0);
    put("state_cookie", "hint_plain", plain, len, 'o', 'P');
}

/* ---- tokens ---------------------------------------------------------------------------------- */

static char *b64(apr_pool_t *pool, const char *s)
{
    return fst_b64url_encode(pool, (const unsigned char *)s, strlen(s));
}

static char *sign(apr_pool_t *pool, EVP_PKEY *key, const char *header, const char *payload)
{
    char *input = apr_pstrcat(pool, b64(pool, header), ".", b64(pool, payload), NULL);
    unsigned char sig[1024];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key);
    EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)input, strlen(input));
    EVP_MD_CTX_free(ctx);
    return apr_pstrcat(pool, input, ".", fst_b64url_encode(pool, sig, sig_len), NULL);
}

#define CLAIMS                                                                                               \
    "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"exp\":1796086800,\"iat\":1796083200,"         \
    "\"nonce\":\"fuzz-nonce-0123456789\",\"acr\":\"idporten-loa-substantial\",\"sub\":\"pairwise-sub\","     \
    "\"pid\":\"14838000089\",\"sid\":\"op-sid\",\"name\":\"Kari\",\"amr\":[\"BankID\"]}"

#define LOGOUT_CLAIMS                                                                                        \
    "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"iat\":1796083200,\"jti\":\"jti-0123\","           \
    "\"events\":{\"" FST_LOGOUT_EVENT "\":{}},\"sid\":\"op-sid\",\"sub\":\"pairwise-sub\"}"

static void tokens(apr_pool_t *pool)
{
    const fuzz_op_keys_t *k = fuzz_op_keys();
    const char *hdr_a = "{\"alg\":\"RS256\",\"kid\":\"" FUZZ_KEY_A_KID "\",\"typ\":\"JWT\"}";
    unsigned char mac[32];
    unsigned int mac_len = sizeof(mac);
    char *input, *n_secret;

    put_text("jws", "signed_a_kid", sign(pool, k->a, hdr_a, CLAIMS));
    put_text("jws", "signed_b_no_kid", sign(pool, k->b, "{\"alg\":\"RS256\"}", CLAIMS));
    put_text("jws", "signed_b_unknown_kid", sign(pool, k->b, "{\"alg\":\"RS256\",\"kid\":\"other\"}", CLAIMS));
    put_text("jws", "signed_a_wrong_kid", sign(pool, k->a, "{\"alg\":\"RS256\",\"kid\":\"other\"}", CLAIMS));
    put_text("jws", "signed_weak", sign(pool, k->weak, "{\"alg\":\"RS256\",\"kid\":\"weak\"}", CLAIMS));
    put_text("jws", "crit", sign(pool, k->a, "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}", CLAIMS));
    put_text("jws", "jku", sign(pool, k->b, "{\"alg\":\"RS256\",\"jku\":\"https://evil.example/jwks\"}", CLAIMS));
    put_text("jws", "rs512_label",
             sign(pool, k->a, "{\"alg\":\"RS512\",\"kid\":\"" FUZZ_KEY_A_KID "\"}", CLAIMS));
    put_text("jws", "alg_none", apr_pstrcat(pool, b64(pool, "{\"alg\":\"none\"}"), ".", b64(pool, CLAIMS), ".", NULL));
    input = apr_pstrcat(pool, b64(pool, "{\"alg\":\"HS256\",\"kid\":\"" FUZZ_KEY_A_KID "\"}"), ".", b64(pool, CLAIMS),
                        NULL);
    n_secret = fuzz_jwk(pool, k->a, FUZZ_KEY_A_KID);
    HMAC(EVP_sha256(), n_secret, (int)strlen(n_secret), (const unsigned char *)input, strlen(input), mac, &mac_len);
    put_text("jws", "hs256_with_public_key",
             apr_pstrcat(pool, input, ".", fst_b64url_encode(pool, mac, mac_len), NULL));
    put_text("jws", "dup_alg", sign(pool, k->a, "{\"alg\":\"RS256\",\"alg\":\"none\"}", CLAIMS));

    put_text("id_token", "good", CLAIMS);
    put_text("id_token", "aud_array_azp",
             "{\"iss\":\"https://op.example\",\"aud\":[\"fuzz-client\",\"other\"],\"azp\":\"fuzz-client\","
             "\"exp\":1796086800.5,\"iat\":1796083200,\"nonce\":\"fuzz-nonce-0123456789\","
             "\"acr\":\"idporten-loa-high\",\"sub\":\"s\",\"pid\":\"41018000027\",\"auth_time\":1796083100}");
    put_text("id_token", "aud_array_no_azp",
             "{\"iss\":\"https://op.example\",\"aud\":[\"fuzz-client\",\"other\"],\"exp\":1796086800,"
             "\"iat\":1796083200,\"nonce\":\"fuzz-nonce-0123456789\",\"acr\":\"idporten-loa-high\",\"sub\":\"s\","
             "\"pid\":\"14838000089\"}");
    put_text("id_token", "acr_low",
             "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"exp\":1796086800,\"iat\":1796083200,"
             "\"nonce\":\"fuzz-nonce-0123456789\",\"acr\":\"idporten-loa-low\",\"sub\":\"s\",\"pid\":\"14838000089\"}");
    put_text("id_token", "pid_invalid",
             "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"exp\":1796086800,\"iat\":1796083200,"
             "\"nonce\":\"fuzz-nonce-0123456789\",\"acr\":\"idporten-loa-high\",\"sub\":\"s\",\"pid\":\"14838000088\"}");
    put_text("id_token", "expired",
             "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"exp\":1796083100,\"iat\":1796083000,"
             "\"nonce\":\"fuzz-nonce-0123456789\",\"acr\":\"idporten-loa-high\",\"sub\":\"s\",\"pid\":\"14838000089\"}");
    put_text("id_token", "nbf_future",
             "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"exp\":1796086800,\"iat\":1796083200,"
             "\"nbf\":1796090000,\"nonce\":\"fuzz-nonce-0123456789\",\"acr\":\"idporten-loa-high\",\"sub\":\"s\","
             "\"pid\":\"14838000089\"}");
    put_text("id_token", "wrong_nonce",
             "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"exp\":1796086800,\"iat\":1796083200,"
             "\"nonce\":\"fuzz-nonce-0123456788\",\"acr\":\"idporten-loa-high\",\"sub\":\"s\",\"pid\":\"14838000089\"}");
    put_text("id_token", "dup_iss",
             "{\"iss\":\"https://evil.example\",\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\"}");

    put_text("jws", "logout_token", sign(pool, k->a, "{\"alg\":\"RS256\",\"kid\":\"" FUZZ_KEY_A_KID "\","
                                         "\"typ\":\"logout+jwt\"}", LOGOUT_CLAIMS));

    put_text("logout_token", "good", LOGOUT_CLAIMS);
    put_text("logout_token", "sub_only_exp",
             "{\"iss\":\"https://op.example\",\"aud\":[\"fuzz-client\"],\"iat\":1796083190.5,\"exp\":1796083320,"
             "\"jti\":\"j2\",\"events\":{\"" FST_LOGOUT_EVENT "\":{}},\"sub\":\"pairwise-sub\"}");
    put_text("logout_token", "with_nonce",
             "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"iat\":1796083200,\"jti\":\"j3\","
             "\"events\":{\"" FST_LOGOUT_EVENT "\":{}},\"sid\":\"s\",\"nonce\":\"n\"}");
    put_text("logout_token", "id_token", CLAIMS);
    put_text("logout_token", "old_iat",
             "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"iat\":1796080000,\"jti\":\"j4\","
             "\"events\":{\"" FST_LOGOUT_EVENT "\":{}},\"sid\":\"s\"}");
    put_text("logout_token", "event_not_object",
             "{\"iss\":\"https://op.example\",\"aud\":\"fuzz-client\",\"iat\":1796083200,\"jti\":\"j5\","
             "\"events\":{\"" FST_LOGOUT_EVENT "\":[]},\"sid\":\"s\"}");

    /* The first byte picks the status: 4 -> 201, 1 -> 200, 3 -> 401. */
    put_text("par_response", "created", "\004{\"request_uri\":\"urn:ietf:params:oauth:request_uri:abc\",\"expires_in\":60}");
    put_text("par_response", "ok_200", "\001{\"request_uri\":\"urn:x:y\",\"expires_in\":90}");
    put_text("par_response", "invalid_client", "\003{\"error\":\"invalid_client\",\"error_description\":\"no\"}");
    put_text("par_response", "bad_expiry", "\004{\"request_uri\":\"urn:x\",\"expires_in\":0}");

    put_text("jwks", "fuzz_keys", k->jwks_text);
    put_text("jwks", "mixed",
             apr_psprintf(pool, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"},{\"kty\":\"EC\",\"crv\":\"P-256\","
                          "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":"
                          "\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},%s,{\"kty\":\"RSA\",\"use\":\"enc\","
                          "\"n\":\"AQAB\",\"e\":\"AQAB\"},%s]}",
                          fuzz_jwk(pool, k->weak, NULL), fuzz_jwk(pool, k->b, "b")));
    put_text("jwks", "private_part",
             apr_psprintf(pool, "{\"keys\":[%.*s,\"d\":\"AQAB\"}]}", (int)strlen(fuzz_jwk(pool, k->a, "a")) - 1,
                          fuzz_jwk(pool, k->a, "a")));
    put_text("jwks", "keys_not_array", "{\"keys\":{}}");
}

int main(int argc, char **argv)
{
    apr_pool_t *pool;

    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds CORPUS-DIR\n");
        return 2;
    }
    dir = argv[1];
    pool = fuzz_pool();
    sessions(pool);
    states(pool);
    tokens(pool);
    apr_pool_destroy(pool);
    return 0;
}
