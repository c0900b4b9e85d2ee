/*
 * test_crc32c.c - CRC-32C against published check values.
 *
 * The expected values are the iSCSI test vectors of RFC 3720 appendix B.4
 * and the catalogue check value for "123456789", not outputs of this code.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_rfc3720_vectors),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_incremental_equals_one_shot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
