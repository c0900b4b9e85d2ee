/*
 * crc32c.c - CRC-32C: the SSE4.2 crc32 instruction where the processor has
 * it, else a table, one byte per step.
 *
 * The crc32 instruction of x86-64 processors since 2008 computes exactly
 * this CRC (reflected Castagnoli polynomial, no inversion of its own), eight
 * bytes per instruction: a 4 KiB frame takes about 520 instructions instead
 * of some 37,000 with the table. It is chosen at run time
 * (__builtin_cpu_supports), so one binary runs on every x86-64. Everything
 * else, the firmware's Cortex-M4 included, uses the table. Defining
 * CRC32C_PORTABLE builds the table code only (the tests check it on x86-64
 * that way).
 *
 * The 256-entry table is derived from the polynomial by the preprocessor,
 * so it lives in read-only memory (flash on the firmware) with no init call
 * and no hand-copied constants.
 */
#include "crc32c.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(CRC32C_PORTABLE)
#define CRC32C_HAVE_SSE42 1
#include <nmmintrin.h>
#include <string.h>
#endif

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

static uint32_t update_table(uint32_t state, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        state = (state >> 8) ^ crc32c_table[(state ^ data[i]) & 0xFFu];
    return state;
}

#ifdef CRC32C_HAVE_SSE42
/* Eight bytes per crc32 instruction, in memory order (x86 is little-endian), then the rest. */
__attribute__((target("sse4.2"))) static uint32_t update_sse42(uint32_t state, const uint8_t *data,
                                                               size_t len)
{
    uint64_t wide = state;
    for (; len >= sizeof(uint64_t); data += sizeof(uint64_t), len -= sizeof(uint64_t)) {
        uint64_t word;
        memcpy(&word, data, sizeof(word));
        wide = _mm_crc32_u64(wide, word);
    }
    state = (uint32_t)wide;
    for (; len > 0; data++, len--)
        state = _mm_crc32_u8(state, *data);
    return state;
}
#endif

uint32_t crc32c_update(uint32_t state, const uint8_t *data, size_t len)
{
#ifdef CRC32C_HAVE_SSE42
    if (__builtin_cpu_supports("sse4.2"))
        return update_sse42(state, data, len);
#endif
    return update_table(state, data, len);
}

uint32_t crc32c_finish(uint32_t state)
{
    return state ^ 0xFFFFFFFFu;
}

uint32_t crc32c(const uint8_t *data, size_t len)
{
    return crc32c_finish(crc32c_update(CRC32C_INITIAL, data, len));
}
