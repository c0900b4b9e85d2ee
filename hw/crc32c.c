/*
 * crc32c.c - table-driven CRC-32C, one byte per step.
 *
 * The 256-entry table is derived from the polynomial by the preprocessor,
 * so it lives in read-only memory (flash on the firmware) with no init call
 * and no hand-copied constants.
 */
#include "crc32c.h"

/* Reflected Castagnoli polynomial (iSCSI, ext4, SCTP). */
#define CRC32C_POLY 0x82F63B78u

#define CRC_BIT(c)  (((c) >> 1) ^ (((c)&1u) ? CRC32C_POLY : 0u))
#define CRC_BYTE(c) CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(c))))))))
#define ROW4(n)                                                                                    \
    CRC_BYTE((uint32_t)(n)), CRC_BYTE((uint32_t)(n) + 1), CRC_BYTE((uint32_t)(n) + 2),             \
        CRC_BYTE((uint32_t)(n) + 3)
#define ROW16(n) ROW4(n), ROW4((n) + 4), ROW4((n) + 8), ROW4((n) + 12)
#define ROW64(n) ROW16(n), ROW16((n) + 16), ROW16((n) + 32), ROW16((n) + 48)

static const uint32_t crc32c_table[256] = {ROW64(0), ROW64(64), ROW64(128), ROW64(192)};

uint32_t crc32c_update(uint32_t state, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        state = (state >> 8) ^ crc32c_table[(state ^ data[i]) & 0xFFu];
    return state;
}

uint32_t crc32c_finish(uint32_t state)
{
    return state ^ 0xFFFFFFFFu;
}

uint32_t crc32c(const uint8_t *data, size_t len)
{
    return crc32c_finish(crc32c_update(CRC32C_INITIAL, data, len));
}
