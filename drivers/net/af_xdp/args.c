/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp device arguments (the keys are listed with the driver, net_af_xdp.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "af_xdp_priv.h"

/* A word of a list of choices: its index in words (NULL-terminated, where several words
 * may share a value through values), or -EINVAL after logging with hint. */
static int parse_choice(const struct sl_port *port, const char *key, const char *word,
			const char *const *words, const int *values, const char *hint)
{
	for (unsigned i = 0; words[i]; i++)
		if (strcmp(word, words[i]) == 0)
			return values[i];
	SL_LOG(net_af_xdp, ERR, "%s: %s=%s %s", port->name, key, word, hint);
	return -EINVAL;
}

static int parse_words(struct sl_port *port, const struct sl_devargs *args, struct xdp_port *xp)
{
	static const char *const modes[] = {"auto", "native", "drv", "skb", "generic", NULL};
	static const int mode_values[] = {MODE_AUTO, MODE_NATIVE, MODE_NATIVE, MODE_SKB, MODE_SKB};
	static const char *const umems[] = {"auto", "pool", "driver", NULL};
	static const int umem_values[] = {UMEM_AUTO, UMEM_POOL, UMEM_DRIVER};
	static const char *const attaches[] = {"link", "libxdp", NULL};
	static const int attach_values[] = {ATTACH_LINK, ATTACH_LIBXDP};
	const char *mode = sl_devargs_get(args, "xdp_mode");
	const char *umem = sl_devargs_get(args, "umem");
	const char *attach = sl_devargs_get(args, "xdp_attach");
	int v;

	v = parse_choice(port, "xdp_mode", mode ? mode : "auto", modes, mode_values,
			 "is not a mode; use native (driver XDP), skb (generic XDP) or auto (the "
			 "kernel chooses)");
	if (v < 0)
		return v;
	xp->mode = (enum xdp_mode)v;
	v = parse_choice(port, "umem", umem ? umem : "auto", umems, umem_values,
			 "is not a UMEM kind; use pool (the rx pool's buffers, no copies), driver "
			 "(the driver's frames, copies) or auto (pool when it fits)");
	if (v < 0)
		return v;
	xp->umem_req = (enum umem_kind)v;
	v = parse_choice(port, "xdp_attach", attach ? attach : "link", attaches, attach_values,
			 "is not a way to attach; use link (a BPF link the process owns: the "
			 "program goes when it dies) or libxdp (libxdp's attach and dispatcher)");
	if (v < 0)
		return v;
	xp->attach_req = (enum attach_kind)v;
	return 0;
}

int axdp_parse_args(struct sl_port *port, const struct sl_devargs *args, struct xdp_port *xp)
{
	uint64_t start = 0, count = 1, frame = DEFAULT_FRAME_SIZE, budget = 0;
	long page = sysconf(_SC_PAGESIZE);
	int rc = 0;

	rc |= sl_devargs_uint(args, port->name, "start_queue", 0, 4095, &start);
	rc |= sl_devargs_uint(args, port->name, "queue_count", 1, SL_PORT_MAX_QUEUES, &count);
	rc |= sl_devargs_uint(args, port->name, "frame_size", 2048, (uint64_t)page, &frame);
	rc |= sl_devargs_uint(args, port->name, "busy_budget", 0, 1024, &budget);
	if (sl_devargs_get(args, "zero_copy")) {
		bool zc = false;

		rc |= sl_devargs_bool(args, port->name, "zero_copy", &zc);
		xp->zero_copy = zc;
	} else {
		xp->zero_copy = -1;
	}
	if (rc)
		return -EINVAL;
	if (!SL_IS_POW2(frame)) {
		SL_LOG(net_af_xdp, ERR,
		       "%s: frame_size=%" PRIu64 " must be a power of two (aligned "
		       "UMEM chunks); use %u",
		       port->name, frame, sl_pow2_ceil((uint32_t)frame));
		return -EINVAL;
	}
	rc = parse_words(port, args, xp);
	if (rc < 0)
		return rc;
	xp->start_queue = (uint32_t)start;
	xp->queue_count = (uint16_t)count;
	xp->frame_size = (uint32_t)frame;
	xp->busy_budget = (uint32_t)budget;
	return 0;
}
