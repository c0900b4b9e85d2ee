/*
 * test_crc32c.c - CRC-32C against published check values.
 *
 * The expected values are the iSCSI test vectors of RFC 3720 appendix B.4
 * and the catalogue check value for "123456789", not outputs of this code;
 * for other lengths and alignments, a bit-at-a-time CRC written here from
 * the definition (hw/PROTOCOL.md section 1). Built twice: as the library
 * is (the crc32 instruction on x86-64) and with CRC32C_PORTABLE (the table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc32c.h"

static void test_check_value(void **state)
{
    (void)state;
    const char *text = "123456789";
    assert_int_equal(crc32c((const uint8_t *)text, strlen(text)), 0xE3069283u);
}

static void test_rfc3720_vectors(void **state)
{
    (void)state;
    uint8_t buffer[32];

    memset(buffer, 0x00, sizeof(buffer));
    assert_int_equal(crc32c(buffer, sizeof(buffer)), 0x8A9136AAu);
    memset(buffer, 0xFF, sizeof(buffer));
    assert_int_equal(crc32c(buffer, sizeof(buffer)), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buffer[i] = (uint8_t)i;
    assert_int_equal(crc32c(buffer, sizeof(buffer)), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        buffer[i] = (uint8_t)(31 - i);
    assert_int_equal(crc32c(buffer, sizeof(buffer)), 0x113FDB5Cu);
}

static void test_empty_input(void **state)
{
    (void)state;
    assert_int_equal(crc32c(NULL, 0), 0x00000000u);
}

static void test_incremental_equals_one_shot(void **state)
{
    (void)state;
    const char *text = "123456789";
    for (size_t split = 0; split <= 9; split++) {
        uint32_t running = crc32c_update(CRC32C_INITIAL, (const uint8_t *)text, split);
        running = crc32c_update(running, (const uint8_t *)text + split, 9 - split);
        assert_int_equal(crc32c_finish(running), 0xE3069283u);
    }
}

/* CRC-32C one bit at a time, straight from the definition. */
static uint32_t crc32c_bitwise(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
    }
    return crc ^ 0xFFFFFFFFu;
}

/* Every start alignment and every tail length, and a frame's worth of bytes. */
static void test_lengths_and_alignments(void **state)
{
    (void)state;
    enum { FRAME_PACKET = 4120, MAX = FRAME_PACKET + 8 };
    static uint8_t buffer[MAX];
    uint32_t seed = 12345;
    for (size_t i = 0; i < MAX; i++) {
        seed = seed * 1103515245u + 12345u;
        buffer[i] = (uint8_t)(seed >> 16);
    }
    for (size_t offset = 0; offset < 8; offset++) {
        for (size_t len = 0; len <= 40; len++)
            assert_int_equal(crc32c(buffer + offset, len), crc32c_bitwise(buffer + offset, len));
        assert_int_equal(crc32c(buffer + offset, FRAME_PACKET),
                         crc32c_bitwise(buffer + offset, FRAME_PACKET));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_rfc3720_vectors),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_incremental_equals_one_shot),
        cmocka_unit_test(test_lengths_and_alignments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
