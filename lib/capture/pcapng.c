/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapng blocks (draft-ietf-opsawg-pcapng sections 4.1 SHB, 4.2 IDB, 4.3 EPB, 4.6 ISB):
 * type, total length, body, options (code, length, value padded to 4, opt_endofopt), total
 * length again.  Each block is built in one buffer and written with one fwrite().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture_priv.h"
#include "sl_pcapng.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_EPB 6u
#define BT_ISB 5u
#define LINKTYPE_ETHERNET 1

enum {
	OPT_END = 0,
	SHB_HARDWARE = 2,
	SHB_OS = 3,
	SHB_USERAPPL = 4,
	IF_NAME = 2,
	IF_DESCRIPTION = 3,
	IF_MACADDR = 6,
	IF_SPEED = 8,
	IF_TSRESOL = 9,
	IF_FILTER = 11,
	EPB_FLAGS = 2,
	EPB_QUEUE = 6,
	ISB_STARTTIME = 2,
	ISB_ENDTIME = 3,
	ISB_IFRECV = 4,
	ISB_IFDROP = 5,
	ISB_FILTERACCEPT = 6,
};

struct sl_pcapng {
	FILE *f;
	uint8_t *buf;
	size_t cap, len;
	uint64_t bytes;
	uint32_t nb_if;
	int err;
};

static int room(struct sl_pcapng *w, size_t more)
{
	if (w->len + more <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 4096;
	uint8_t *b;

	while (cap < w->len + more)
		cap *= 2;
	b = realloc(w->buf, cap);
	if (b == NULL)
		return -ENOMEM;
	w->buf = b;
	w->cap = cap;
	return 0;
}

static void put(struct sl_pcapng *w, const void *p, size_t l)
{
	memcpy(w->buf + w->len, p, l);
	w->len += l;
}

static void put32(struct sl_pcapng *w, uint32_t v)
{
	put(w, &v, 4);
}

static void pad4(struct sl_pcapng *w)
{
	static const uint8_t zero[4];

	put(w, zero, (4 - (w->len & 3)) & 3);
}

static int begin(struct sl_pcapng *w, uint32_t type, size_t body)
{
	w->len = 0;
	if (room(w, body + 12) < 0)
		return -ENOMEM;
	put32(w, type);
	put32(w, 0); /* total length, filled by end() */
	return 0;
}

/* An option whose value is l bytes (one prefix byte first when pre >= 0). */
static int opt(struct sl_pcapng *w, uint16_t code, int pre, const void *v, size_t l)
{
	size_t vl = l + (pre >= 0);
	uint16_t hdr[2] = {code, (uint16_t)vl};
	uint8_t b;

	if (vl > UINT16_MAX)
		return -EINVAL;
	if (room(w, 4 + vl + 3 + 16) < 0)
		return -ENOMEM;
	put(w, hdr, sizeof(hdr));
	if (pre >= 0) {
		b = (uint8_t)pre;
		put(w, &b, 1);
	}
	put(w, v, l);
	pad4(w);
	return 0;
}

static int opt_str(struct sl_pcapng *w, uint16_t code, const char *s)
{
	return s && s[0] ? opt(w, code, -1, s, strlen(s)) : 0;
}

static int opt64(struct sl_pcapng *w, uint16_t code, uint64_t v)
{
	return opt(w, code, -1, &v, 8);
}

static int end(struct sl_pcapng *w, int rc)
{
	uint32_t total;

	if (rc == 0)
		rc = room(w, 8);
	if (rc < 0)
		return w->err ? w->err : rc;
	put32(w, OPT_END); /* code 0, length 0 */
	total = (uint32_t)w->len + 4;
	memcpy(w->buf + 4, &total, 4);
	put32(w, total);
	if (w->err)
		return w->err;
	if (fwrite(w->buf, 1, w->len, w->f) != w->len) {
		w->err = errno ? -errno : -EIO;
		return w->err;
	}
	w->bytes += w->len;
	return 0;
}

struct sl_pcapng *sl_pcapng_open(FILE *f, const char *appl, const char *os, const char *hw)
{
	struct sl_pcapng *w = calloc(1, sizeof(*w));
	uint32_t magic = 0x1A2B3C4D;
	uint16_t ver[2] = {1, 0};
	int64_t section = -1;
	int rc;

	if (w == NULL)
		return NULL;
	w->f = f;
	rc = begin(w, BT_SHB, 16);
	if (rc == 0) {
		put32(w, magic);
		put(w, ver, sizeof(ver));
		put(w, &section, 8);
		rc = opt_str(w, SHB_HARDWARE, hw);
	}
	if (rc == 0)
		rc = opt_str(w, SHB_OS, os);
	if (rc == 0)
		rc = opt_str(w, SHB_USERAPPL, appl);
	rc = end(w, rc);
	if (rc < 0) {
		SL_LOG(capture, ERR, "pcapng: cannot write the section header: %s", strerror(-rc));
		free(w->buf);
		free(w);
		errno = -rc;
		return NULL;
	}
	return w;
}

int sl_pcapng_add_interface(struct sl_pcapng *w, const struct sl_pcapng_if *ifc)
{
	uint16_t lt[2] = {LINKTYPE_ETHERNET, 0};
	uint8_t tsresol = 9;
	int rc = begin(w, BT_IDB, 8);

	if (rc == 0) {
		put(w, lt, sizeof(lt));
		put32(w, ifc->snaplen);
		rc = opt_str(w, IF_NAME, ifc->name);
	}
	if (rc == 0)
		rc = opt_str(w, IF_DESCRIPTION, ifc->description);
	if (rc == 0 && ifc->mac)
		rc = opt(w, IF_MACADDR, -1, ifc->mac, 6);
	if (rc == 0 && ifc->speed_bps)
		rc = opt64(w, IF_SPEED, ifc->speed_bps);
	if (rc == 0)
		rc = opt(w, IF_TSRESOL, -1, &tsresol, 1);
	if (rc == 0 && ifc->filter && ifc->filter[0])
		rc = opt(w, IF_FILTER, 0, ifc->filter, strlen(ifc->filter)); /* 0: libpcap */
	rc = end(w, rc);
	return rc < 0 ? rc : (int)w->nb_if++;
}

int sl_pcapng_write_packet(struct sl_pcapng *w, uint32_t ifid, uint64_t ts_ns, const void *data,
			   uint32_t cap_len, uint32_t orig_len, int dir, int64_t queue)
{
	uint32_t flags = (uint32_t)dir & 3, q = (uint32_t)queue;
	int rc;

	if (ifid >= w->nb_if || cap_len > orig_len)
		return -EINVAL;
	rc = begin(w, BT_EPB, 20 + (size_t)cap_len + 3 + 24);
	if (rc == 0) {
		put32(w, ifid);
		put32(w, (uint32_t)(ts_ns >> 32));
		put32(w, (uint32_t)ts_ns);
		put32(w, cap_len);
		put32(w, orig_len);
		put(w, data, cap_len);
		pad4(w);
		if (flags)
			rc = opt(w, EPB_FLAGS, -1, &flags, 4);
	}
	if (rc == 0 && queue >= 0)
		rc = opt(w, EPB_QUEUE, -1, &q, 4);
	return end(w, rc);
}

int sl_pcapng_write_stats(struct sl_pcapng *w, uint32_t ifid, uint64_t ts_ns, uint64_t start_ns,
			  uint64_t end_ns, uint64_t recv, uint64_t drop, uint64_t accept)
{
	int rc;

	if (ifid >= w->nb_if)
		return -EINVAL;
	rc = begin(w, BT_ISB, 12);
	if (rc == 0) {
		put32(w, ifid);
		put32(w, (uint32_t)(ts_ns >> 32));
		put32(w, (uint32_t)ts_ns);
		/* isb_starttime/endtime are in the interface's resolution, high word first */
		uint32_t st[2] = {(uint32_t)(start_ns >> 32), (uint32_t)start_ns};
		uint32_t en[2] = {(uint32_t)(end_ns >> 32), (uint32_t)end_ns};

		rc = opt(w, ISB_STARTTIME, -1, st, 8);
		if (rc == 0)
			rc = opt(w, ISB_ENDTIME, -1, en, 8);
	}
	if (rc == 0)
		rc = opt64(w, ISB_IFRECV, recv);
	if (rc == 0)
		rc = opt64(w, ISB_IFDROP, drop);
	if (rc == 0)
		rc = opt64(w, ISB_FILTERACCEPT, accept);
	return end(w, rc);
}

uint64_t sl_pcapng_bytes(const struct sl_pcapng *w)
{
	return w->bytes;
}

int sl_pcapng_close(struct sl_pcapng *w)
{
	int rc;

	if (w == NULL)
		return 0;
	rc = w->err;
	if (fflush(w->f) != 0 && rc == 0)
		rc = errno ? -errno : -EIO;
	free(w->buf);
	free(w);
	return rc;
}
