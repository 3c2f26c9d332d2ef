/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Toeplitz RSS hash (Microsoft "Receive Side Scaling", as NICs compute it).
 *
 * The hash of an input of n bytes is the XOR, over every input bit set at position b (the
 * most significant bit of input[0] is position 0), of the 32 key bits starting at key bit
 * b.  The key must therefore be at least n + 4 bytes long; the functions here accept any
 * length and take missing key bytes as zero.  Inputs are the header fields in network
 * order, as the tuple builders below lay them out (source address, destination address,
 * source port, destination port).
 *
 * Two ways to compute it:
 *  - sl_rss_toeplitz(): from the key directly, no setup (about 8 operations per input bit).
 *  - sl_rss_key_init() + sl_rss_hash(): a table per key of 256 entries per input byte
 *    (1 KiB per key byte: 40 KiB for the 40-byte default key), then one lookup per byte.
 * Both give the same value for every input and key.
 *
 * Symmetric hashing (both directions of a flow on the same queue), two options:
 *  - the key sl_rss_key_symmetric (0x6d5a repeated): a key with a 16-bit period gives the
 *    same hash when source and destination swap, because addresses move by 32 bits and
 *    ports by 16.  This is what a NIC can be programmed with.
 *  - the *_sym tuple builders, which put the smaller (address, port) endpoint first, so
 *    any key (the default one included) gives a symmetric hash.
 *
 * Thread-safety: pure functions; a key table is read-only after sl_rss_key_init().
 */
#ifndef SL_RSS_H
#define SL_RSS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Length of the standard key. */
#define SL_RSS_KEY_LEN 40
/* Longest key sl_rss_key_init() takes. */
#define SL_RSS_KEY_MAX_LEN 256

/* The key of Microsoft's RSS verification suite, the default of most NICs. */
extern const uint8_t sl_rss_key_default[SL_RSS_KEY_LEN];
/* 0x6d5a repeated: symmetric for IPv4/IPv6 tuples with or without ports. */
extern const uint8_t sl_rss_key_symmetric[SL_RSS_KEY_LEN];

/* Toeplitz hash of len bytes of input with the key (see above for short keys). */
uint32_t sl_rss_toeplitz(const uint8_t *input, size_t len, const uint8_t *key, size_t key_len);

/* Precomputed tables for one key. */
struct sl_rss_key {
	uint32_t nb_bytes;   /* input bytes that have a table: key_len (later bytes add 0) */
	uint32_t key_len;
	uint32_t tbl[][256]; /* tbl[i][v]: contribution of byte value v at input position i */
};

/*
 * Builds the tables for key (key_len bytes, 1..SL_RSS_KEY_MAX_LEN).  Returns the key
 * object, to free with sl_rss_key_free(), or NULL with errno EINVAL (bad length or NULL
 * key; the log says which) or ENOMEM.
 */
struct sl_rss_key *sl_rss_key_init(const uint8_t *key, size_t key_len);
void sl_rss_key_free(struct sl_rss_key *k);

/* The hash of input with the key k was built from: equal to sl_rss_toeplitz(). */
static inline uint32_t sl_rss_hash(const struct sl_rss_key *k, const uint8_t *input, size_t len)
{
	uint32_t h = 0;
	size_t i;

	/* Two loops so that a caller's constant len (a tuple's) gives a loop the compiler
	 * unrolls: about 2 instructions a byte instead of 9. */
	if (__builtin_expect(len <= k->nb_bytes, 1)) {
		for (i = 0; i < len; i++)
			h ^= k->tbl[i][input[i]];
	} else {
		for (i = 0; i < k->nb_bytes; i++)
			h ^= k->tbl[i][input[i]];
	}
	return h;
}

/* --- tuples: addresses and ports in network order, as in the headers --- */
#define SL_RSS_IPV4_LEN 8     /* src, dst */
#define SL_RSS_IPV4_L4_LEN 12 /* src, dst, sport, dport */
#define SL_RSS_IPV6_LEN 32
#define SL_RSS_IPV6_L4_LEN 36

/* Each builder writes the tuple to out (room for its length) and returns its length. */
static inline size_t sl_rss_tuple_ipv4(uint8_t *out, uint32_t src, uint32_t dst)
{
	memcpy(out, &src, 4);
	memcpy(out + 4, &dst, 4);
	return SL_RSS_IPV4_LEN;
}

static inline size_t sl_rss_tuple_ipv4_l4(uint8_t *out, uint32_t src, uint32_t dst,
					  uint16_t sport, uint16_t dport)
{
	sl_rss_tuple_ipv4(out, src, dst);
	memcpy(out + 8, &sport, 2);
	memcpy(out + 10, &dport, 2);
	return SL_RSS_IPV4_L4_LEN;
}

static inline size_t sl_rss_tuple_ipv6(uint8_t *out, const uint8_t src[16], const uint8_t dst[16])
{
	memcpy(out, src, 16);
	memcpy(out + 16, dst, 16);
	return SL_RSS_IPV6_LEN;
}

static inline size_t sl_rss_tuple_ipv6_l4(uint8_t *out, const uint8_t src[16],
					  const uint8_t dst[16], uint16_t sport, uint16_t dport)
{
	sl_rss_tuple_ipv6(out, src, dst);
	memcpy(out + 32, &sport, 2);
	memcpy(out + 34, &dport, 2);
	return SL_RSS_IPV6_L4_LEN;
}

/* Symmetric builders: the endpoint with the smaller (address, port), compared as bytes in
 * network order, goes first, so both directions of a flow give the same tuple. */
static inline size_t sl_rss_tuple_ipv4_sym(uint8_t *out, uint32_t src, uint32_t dst)
{
	return memcmp(&src, &dst, 4) <= 0 ? sl_rss_tuple_ipv4(out, src, dst)
					  : sl_rss_tuple_ipv4(out, dst, src);
}

static inline size_t sl_rss_tuple_ipv4_l4_sym(uint8_t *out, uint32_t src, uint32_t dst,
					      uint16_t sport, uint16_t dport)
{
	int c = memcmp(&src, &dst, 4);

	if (c < 0 || (c == 0 && memcmp(&sport, &dport, 2) <= 0))
		return sl_rss_tuple_ipv4_l4(out, src, dst, sport, dport);
	return sl_rss_tuple_ipv4_l4(out, dst, src, dport, sport);
}

static inline size_t sl_rss_tuple_ipv6_sym(uint8_t *out, const uint8_t src[16],
					   const uint8_t dst[16])
{
	return memcmp(src, dst, 16) <= 0 ? sl_rss_tuple_ipv6(out, src, dst)
					 : sl_rss_tuple_ipv6(out, dst, src);
}

static inline size_t sl_rss_tuple_ipv6_l4_sym(uint8_t *out, const uint8_t src[16],
					      const uint8_t dst[16], uint16_t sport,
					      uint16_t dport)
{
	int c = memcmp(src, dst, 16);

	if (c < 0 || (c == 0 && memcmp(&sport, &dport, 2) <= 0))
		return sl_rss_tuple_ipv6_l4(out, src, dst, sport, dport);
	return sl_rss_tuple_ipv6_l4(out, dst, src, dport, sport);
}

#endif
