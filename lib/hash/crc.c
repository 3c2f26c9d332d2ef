/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC32C (Castagnoli polynomial 0x1EDC6F41, bit-reflected form 0x82F63B78), computed the
 * way the SSE4.2 crc32 instruction does: reflected update from the caller's initial
 * value, no final inversion.  Two implementations with identical results:
 *   - crc32c_sse42(): 8 bytes per crc32 instruction, compiled with a target attribute
 *     because the default build targets the x86-64 baseline (no SSE4.2);
 *   - sl_hash_crc32c_portable(): slicing-by-8 tables (8 KiB), built at load time.
 * sl_hash_crc32c() picks the instruction when __builtin_cpu_supports("sse4.2").
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hash_priv.h"
#include "sl_hash.h"

#define POLY 0x82f63b78u

static uint32_t table[8][256];

__attribute__((constructor)) static void crc_tables_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (POLY & (0u - (c & 1)));
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint32_t sl_hash_crc32c_portable(const void *data, uint32_t len, uint32_t init)
{
	const uint8_t *p = data;
	uint32_t crc = init;

	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^ table[3][hi & 0xff] ^
		      table[2][(hi >> 8) & 0xff] ^ table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
	}
	for (; len > 0; len--, p++)
		crc = table[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
#define HAVE_SSE42_PATH 1

__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(const void *data, uint32_t len,
								uint32_t init)
{
	const uint8_t *p = data;
	uint64_t crc = init;

	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		crc = __builtin_ia32_crc32di(crc, w);
	}
	if (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		crc = __builtin_ia32_crc32si((uint32_t)crc, w);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		crc = __builtin_ia32_crc32hi((uint32_t)crc, w);
		p += 2;
		len -= 2;
	}
	if (len)
		crc = __builtin_ia32_crc32qi((uint32_t)crc, *p);
	return (uint32_t)crc;
}
#endif

bool sl_hash_crc32c_hw(void)
{
#ifdef HAVE_SSE42_PATH
	return __builtin_cpu_supports("sse4.2");
#else
	return false;
#endif
}

sl_hash_func_t hash_crc32c_best(void)
{
#ifdef HAVE_SSE42_PATH
	if (sl_hash_crc32c_hw())
		return crc32c_sse42;
#endif
	return sl_hash_crc32c_portable;
}

/* Chosen once: the first call (any thread) resolves it; the store is idempotent. */
static sl_hash_func_t crc_best;

uint32_t sl_hash_crc32c(const void *data, uint32_t len, uint32_t init)
{
	sl_hash_func_t f = __atomic_load_n(&crc_best, __ATOMIC_RELAXED);

	if (sl_unlikely(f == NULL)) {
		f = hash_crc32c_best();
		__atomic_store_n(&crc_best, f, __ATOMIC_RELAXED);
	}
	return f(data, len, init);
}
