/*
 * test_cobs.c - COBS against the examples of Cheshire & Baker's paper (as
 * tabulated on Wikipedia), plus round trips, in-place use, full blocks
 * among short ones and bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cobs.h"

struct cobs_case {
    const char *name;
    uint8_t decoded[260];
    size_t decoded_len;
    uint8_t encoded[264];
    size_t encoded_len;
};

/* Fills the long cases: 1..254 and 1..255 runs, and 0x00 + 1..254. */
static void fill_long_cases(struct cobs_case *c254, struct cobs_case *c255,
                            struct cobs_case *zero254)
{
    c254->decoded_len = 254;
    c254->encoded[0] = 0xFF;
    for (int i = 0; i < 254; i++) {
        c254->decoded[i] = (uint8_t)(i + 1);
        c254->encoded[i + 1] = (uint8_t)(i + 1);
    }
    c254->encoded_len = 255;

    c255->decoded_len = 255;
    c255->encoded[0] = 0xFF;
    for (int i = 0; i < 255; i++)
        c255->decoded[i] = (uint8_t)(i + 1);
    for (int i = 0; i < 254; i++)
        c255->encoded[i + 1] = (uint8_t)(i + 1);
    c255->encoded[255] = 0x02;
    c255->encoded[256] = 0xFF;
    c255->encoded_len = 257;

    zero254->decoded_len = 255;
    zero254->decoded[0] = 0x00;
    zero254->encoded[0] = 0x01;
    zero254->encoded[1] = 0xFF;
    for (int i = 0; i < 254; i++) {
        zero254->decoded[i + 1] = (uint8_t)(i + 1);
        zero254->encoded[i + 2] = (uint8_t)(i + 1);
    }
    zero254->encoded_len = 256;
}

static void check_case(const struct cobs_case *c)
{
    uint8_t out[300];
    size_t encoded = cobs_encode(c->decoded, c->decoded_len, out, sizeof(out));
    assert_int_equal(encoded, c->encoded_len);
    assert_memory_equal(out, c->encoded, c->encoded_len);
    long decoded = cobs_decode(c->encoded, c->encoded_len, out, sizeof(out));
    assert_int_equal(decoded, c->decoded_len);
    if (c->decoded_len > 0)
        assert_memory_equal(out, c->decoded, c->decoded_len);
}

static void test_published_examples(void **state)
{
    (void)state;
    static struct cobs_case cases[] = {
        {"empty", {0}, 0, {0x01}, 1},
        {"one zero", {0x00}, 1, {0x01, 0x01}, 2},
        {"two zeros", {0x00, 0x00}, 2, {0x01, 0x01, 0x01}, 3},
        {"zero inside", {0x00, 0x11, 0x00}, 3, {0x01, 0x02, 0x11, 0x01}, 4},
        {"mixed", {0x11, 0x22, 0x00, 0x33}, 4, {0x03, 0x11, 0x22, 0x02, 0x33}, 5},
        {"no zeros", {0x11, 0x22, 0x33, 0x44}, 4, {0x05, 0x11, 0x22, 0x33, 0x44}, 5},
        {"trailing zeros", {0x11, 0x00, 0x00, 0x00}, 4, {0x02, 0x11, 0x01, 0x01, 0x01}, 5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);

    static struct cobs_case c254, c255, zero254;
    fill_long_cases(&c254, &c255, &zero254);
    check_case(&c254);
    check_case(&c255);
    check_case(&zero254);
}

static void test_round_trip_random(void **state)
{
    (void)state;
    srand(1234);
    for (size_t len = 0; len < 1200; len++) {
        uint8_t *in = malloc(len + 1);
        uint8_t *enc = malloc(COBS_ENCODED_MAX(len)); /* exact bound: ASan checks it */
        uint8_t *dec = malloc(len + 1);
        int zero_odds = 1 + (int)(len % 7) * 40; /* from zero-heavy to zero-free */
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)((rand() % zero_odds == 0) ? 0 : 1 + rand() % 255);
        size_t n = cobs_encode(in, len, enc, COBS_ENCODED_MAX(len));
        assert_true(n > 0 && n <= COBS_ENCODED_MAX(len));
        assert_null(memchr(enc, 0, n));
        assert_int_equal(cobs_decode(enc, n, dec, len), (long)len);
        if (len > 0)
            assert_memory_equal(dec, in, len);
        free(in);
        free(enc);
        free(dec);
    }
}

static void test_in_place(void **state)
{
    (void)state;
    enum { LEN = 1000 };
    uint8_t reference[LEN];
    uint8_t separate[COBS_ENCODED_MAX(LEN)];
    uint8_t shared[COBS_ENCODED_MAX(LEN)];
    for (int i = 0; i < LEN; i++)
        reference[i] = (uint8_t)(i * 7 % 251); /* zeros every 251 bytes */
    size_t n = cobs_encode(reference, LEN, separate, sizeof(separate));

    size_t offset = COBS_ENCODED_MAX(LEN) - LEN;
    memcpy(shared + offset, reference, LEN);
    assert_int_equal(cobs_encode(shared + offset, LEN, shared, sizeof(shared)), n);
    assert_memory_equal(shared, separate, n);

    assert_int_equal(cobs_decode(shared, n, shared, sizeof(shared)), LEN);
    assert_memory_equal(shared, reference, LEN);
}

static void test_rejects_bad_input(void **state)
{
    (void)state;
    uint8_t out[16];
    const uint8_t zero_code[] = {0x00, 0x11};
    const uint8_t zero_data[] = {0x03, 0x11, 0x00};
    const uint8_t overrun[] = {0x05, 0x11, 0x22};
    assert_int_equal(cobs_decode(zero_code, sizeof(zero_code), out, sizeof(out)), -1);
    assert_int_equal(cobs_decode(zero_data, sizeof(zero_data), out, sizeof(out)), -1);
    assert_int_equal(cobs_decode(overrun, sizeof(overrun), out, sizeof(out)), -1);

    const uint8_t fits[] = {0x05, 0x11, 0x22, 0x33, 0x44};
    assert_int_equal(cobs_decode(fits, sizeof(fits), out, 3), -1);
    uint8_t in[4] = {1, 2, 3, 4};
    assert_int_equal(cobs_encode(in, sizeof(in), out, 4), 0);
}

/*
 * Layouts of zero-free runs in otherwise zero-heavy data (frame-like: a zero
 * every other byte), so that full blocks of 254 bytes come first, in the
 * middle, back to back and last; decoded in place and into a buffer of
 * exactly the decoded size. The expected bytes are the input itself.
 */
static void test_full_blocks_among_short_ones(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        size_t run_at, run_length, total;
    } layouts[] = {
        {"no full block", 0, 0, 1000},
        {"full block first", 0, 300, 1000},
        {"full block in the middle", 400, 254, 1000},
        {"two full blocks back to back", 100, 508, 1000},
        {"three full blocks and a rest", 50, 800, 1000},
        {"full block last", 746, 254, 1000},
    };
    enum { MAX = 1000 };
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        uint8_t data[MAX], encoded[COBS_ENCODED_MAX(MAX)], exact[MAX];
        size_t total = layouts[i].total;
        for (size_t k = 0; k < total; k++) {
            bool in_run = k >= layouts[i].run_at && k < layouts[i].run_at + layouts[i].run_length;
            data[k] = in_run ? (uint8_t)(1 + k % 255) : (k % 2 == 0 ? 0 : (uint8_t)(k % 97 + 1));
        }
        size_t n = cobs_encode(data, total, encoded, sizeof(encoded));
        assert_true(n > 0);

        assert_int_equal(cobs_decode(encoded, n, exact, total), (long)total);
        assert_memory_equal(exact, data, total);

        assert_int_equal(cobs_decode(encoded, n, encoded, sizeof(encoded)), (long)total);
        assert_memory_equal(encoded, data, total);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_examples),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_rejects_bad_input),
        cmocka_unit_test(test_full_blocks_among_short_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
