/* SPDX-License-Identifier: BSD-3-Clause */
/* Toeplitz RSS hash. */
#include <errno.h>
#include <stdlib.h>

#include "sl_log.h"
#include "sl_rss.h"

SL_LOG_TYPE_DEFINE(net)

/* From Microsoft's "Verifying the RSS Hash Calculation" (NDIS documentation). */
const uint8_t sl_rss_key_default[SL_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* Woo and Park, "Scalable TCP Session Monitoring with Symmetric Receive-side Scaling"
 * (2012): a 16-bit periodic key makes the hash symmetric. */
const uint8_t sl_rss_key_symmetric[SL_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

static inline uint64_t key_byte(const uint8_t *key, size_t key_len, size_t i)
{
	return i < key_len ? key[i] : 0;
}

/* Key bits [8i, 8i + 64) as a big-endian 64-bit window. */
static uint64_t window_at(const uint8_t *key, size_t key_len, size_t i)
{
	uint64_t w = 0;
	size_t j;

	for (j = 0; j < 8; j++)
		w = w << 8 | key_byte(key, key_len, i + j);
	return w;
}

uint32_t sl_rss_toeplitz(const uint8_t *input, size_t len, const uint8_t *key, size_t key_len)
{
	uint64_t w = window_at(key, key_len, 0);
	uint32_t h = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		uint32_t b = input[i];
		int j;

		/* Bit j of the byte (MSB first) selects key bits [8i + j, 8i + j + 32). */
		for (j = 0; j < 8; j++)
			h ^= (uint32_t)(w >> (32 - j)) & (0u - ((b >> (7 - j)) & 1));
		w = w << 8 | key_byte(key, key_len, i + 8);
	}
	return h;
}

struct sl_rss_key *sl_rss_key_init(const uint8_t *key, size_t key_len)
{
	struct sl_rss_key *k;
	size_t i;

	if (key == NULL) {
		SL_LOG(net, ERR, "rss key is NULL; pass sl_rss_key_default for the standard key");
		errno = EINVAL;
		return NULL;
	}
	if (key_len == 0 || key_len > SL_RSS_KEY_MAX_LEN) {
		SL_LOG(net, ERR, "rss key length %zu is not in 1..%u (the standard key has %u bytes)",
		       key_len, SL_RSS_KEY_MAX_LEN, SL_RSS_KEY_LEN);
		errno = EINVAL;
		return NULL;
	}
	k = malloc(sizeof(*k) + key_len * sizeof(k->tbl[0]));
	if (k == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	k->nb_bytes = (uint32_t)key_len;
	k->key_len = (uint32_t)key_len;
	for (i = 0; i < key_len; i++) {
		uint64_t w = window_at(key, key_len, i);
		uint32_t bitw[8]; /* bitw[b]: contribution of bit b (0 = LSB) of this byte */
		unsigned v;

		for (v = 0; v < 8; v++)
			bitw[v] = (uint32_t)(w >> (32 - (7 - v)));
		k->tbl[i][0] = 0;
		for (v = 1; v < 256; v++)
			k->tbl[i][v] = k->tbl[i][v & (v - 1)] ^ bitw[__builtin_ctz(v)];
	}
	return k;
}

void sl_rss_key_free(struct sl_rss_key *k)
{
	free(k);
}
