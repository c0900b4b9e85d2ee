/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum that closes every packet.
 *
 * Reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final XOR
 * 0xFFFFFFFF: the CRC of the ASCII bytes "123456789" is 0xE3069283. Pure
 * computation, no I/O, no allocation: the firmware links it too.
 */
#ifndef MTABLE_CRC32C_H
#define MTABLE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Value to start an incremental CRC with (before the first crc32c_update). */
#define CRC32C_INITIAL 0xFFFFFFFFu

/* Folds len bytes into a running CRC state started at CRC32C_INITIAL. */
uint32_t crc32c_update(uint32_t state, const uint8_t *data, size_t len);

/* Turns a running CRC state into the final CRC value. */
uint32_t crc32c_finish(uint32_t state);

/* CRC-32C of one buffer. */
uint32_t crc32c(const uint8_t *data, size_t len);

#endif
