/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sl_log.h"
#include "sl_pktbuf.h"

SL_LOG_TYPE_DEFINE(pktbuf)

/* Where a buffer's own data area starts: after the header and the private area. */
static inline void *own_buf(struct sl_pktbuf *p)
{
	return (char *)(p + 1) + p->priv_size;
}

struct init_arg {
	uint16_t priv_size;
	uint16_t buf_len;
};

static void init_one(struct sl_pool *pool, void *obj, unsigned idx, void *arg)
{
	const struct init_arg *a = arg;
	struct sl_pktbuf *p = obj;

	(void)idx;
	memset(p, 0, sizeof(*p));
	p->priv_size = a->priv_size;
	p->buf_addr = own_buf(p);
	p->buf_iova = (uint64_t)(uintptr_t)p->buf_addr;
	p->buf_len = a->buf_len;
	p->pool = pool;
	p->refcnt = 1;
	p->nb_segs = 1;
	p->port = SL_PKTBUF_PORT_NONE;
	p->data_off = SL_MIN((uint16_t)SL_PKTBUF_HEADROOM, a->buf_len);
}

struct sl_pool *sl_pktbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
				      uint16_t priv_size, uint32_t buf_size, int node)
{
	struct init_arg arg = {.priv_size = priv_size, .buf_len = (uint16_t)buf_size};
	struct sl_pool_params prm = {
		.name = name,
		.n = n,
		.elt_size = (unsigned)sizeof(struct sl_pktbuf) + priv_size + buf_size,
		.cache_size = cache_size,
		.node = node,
		.obj_init = init_one,
		.obj_init_arg = &arg,
		.priv_size = sizeof(struct sl_pktbuf_pool_info),
	};
	struct sl_pktbuf_pool_info *info;
	struct sl_pool *pool;

	if (buf_size > SL_PKTBUF_MAX_BUF_SIZE) {
		SL_LOG(pktbuf, ERR, "pool '%s': buffer size %u is above the maximum %u",
		       name ? name : "(null)", buf_size, SL_PKTBUF_MAX_BUF_SIZE);
		errno = EINVAL;
		return NULL;
	}
	if (priv_size % 8) {
		SL_LOG(pktbuf, ERR, "pool '%s': private size %u is not a multiple of 8; use %u",
		       name ? name : "(null)", priv_size, SL_ALIGN_UP(priv_size, 8u));
		errno = EINVAL;
		return NULL;
	}
	pool = sl_pool_create_params(&prm);
	if (pool == NULL)
		return NULL;
	info = sl_pool_priv(pool);
	info->buf_len = (uint16_t)buf_size;
	info->priv_size = priv_size;
	return pool;
}

uint16_t sl_pktbuf_pool_buf_len(struct sl_pool *pool)
{
	return ((struct sl_pktbuf_pool_info *)sl_pool_priv(pool))->buf_len;
}

uint32_t sl_pktbuf_pool_data_offset(struct sl_pool *pool)
{
	return (uint32_t)sizeof(struct sl_pktbuf) +
	       ((struct sl_pktbuf_pool_info *)sl_pool_priv(pool))->priv_size;
}

void sl_pktbuf_detach(struct sl_pktbuf *p)
{
	if (p->flags & SL_PKTBUF_F_INDIRECT) {
		struct sl_pktbuf *d = p->direct;

		p->direct = NULL;
		if (sl_pktbuf_refcnt_update(d, -1) == 0) {
			/* The clone held the last reference: the data's owner goes back too. */
			if (d->flags)
				sl_pktbuf_detach(d);
			sl_pktbuf_refcnt_set(d, 1);
			d->next = NULL;
			d->nb_segs = 1;
			sl_pool_put(d->pool, d);
		}
	} else if (p->flags & SL_PKTBUF_F_EXTERNAL) {
		struct sl_pktbuf_ext_shinfo *s = p->shinfo;

		p->shinfo = NULL;
		if (__atomic_sub_fetch(&s->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
			s->free_cb(p->buf_addr, s->free_arg);
	}
	p->flags = 0;
	p->buf_addr = own_buf(p);
	p->buf_iova = (uint64_t)(uintptr_t)p->buf_addr;
	p->buf_len = sl_pktbuf_pool_buf_len(p->pool);
	p->data_off = SL_MIN((uint16_t)SL_PKTBUF_HEADROOM, p->buf_len);
	p->data_len = 0;
}

void sl_pktbuf_free_bulk(struct sl_pktbuf **pkts, unsigned n)
{
	void *batch[64];
	struct sl_pool *pool = NULL;
	unsigned nb = 0;

	for (unsigned i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		while (p) {
			struct sl_pktbuf *next = p->next;
			struct sl_pktbuf *done = sl_pktbuf_prefree_seg(p);

			if (done) {
				if (done->pool != pool || nb == SL_ARRAY_SIZE(batch)) {
					if (nb)
						sl_pool_put_bulk(pool, batch, nb);
					pool = done->pool;
					nb = 0;
				}
				batch[nb++] = done;
			}
			p = next;
		}
	}
	if (nb)
		sl_pool_put_bulk(pool, batch, nb);
}

int sl_pktbuf_chain(struct sl_pktbuf *head, struct sl_pktbuf *tail)
{
	if (head->nb_segs + tail->nb_segs > UINT16_MAX) {
		SL_LOG(pktbuf, ERR, "cannot chain %u + %u segments: above %u", head->nb_segs,
		       tail->nb_segs, UINT16_MAX);
		return -EOVERFLOW;
	}
	sl_pktbuf_last_seg(head)->next = tail;
	head->nb_segs = (uint16_t)(head->nb_segs + tail->nb_segs);
	head->pkt_len += tail->pkt_len;
	tail->nb_segs = 1;
	tail->pkt_len = tail->data_len;
	return 0;
}

/* Copies between a packet and flat memory; to_pkt selects the direction. */
static int copy_span(struct sl_pktbuf *p, uint32_t off, uint32_t len, void *flat, bool to_pkt)
{
	struct sl_pktbuf *seg = p;
	char *out = flat;

	if ((uint64_t)off + len > p->pkt_len)
		return -EINVAL;
	while (seg && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	while (len && seg) {
		uint32_t n = SL_MIN(len, (uint32_t)seg->data_len - off);
		char *data = sl_pktbuf_mtod_offset(seg, char *, off);

		if (to_pkt)
			memcpy(data, out, n);
		else
			memcpy(out, data, n);
		out += n;
		len -= n;
		off = 0;
		seg = seg->next;
	}
	return len ? -EINVAL : 0; /* segments shorter than pkt_len claimed */
}

const void *sl_pktbuf_read(const struct sl_pktbuf *p, uint32_t off, uint32_t len, void *buf)
{
	if ((uint64_t)off + len > p->pkt_len)
		return NULL;
	if (off + len <= p->data_len)
		return sl_pktbuf_mtod_offset(p, const char *, off);
	return copy_span((struct sl_pktbuf *)p, off, len, buf, false) == 0 ? buf : NULL;
}

int sl_pktbuf_write(struct sl_pktbuf *p, uint32_t off, uint32_t len, const void *data)
{
	return copy_span(p, off, len, (void *)data, true);
}

int sl_pktbuf_attach(struct sl_pktbuf *p, struct sl_pktbuf *to)
{
	struct sl_pktbuf *owner;

	if (p == to || p->flags || p->next || sl_pktbuf_refcnt_read(p) != 1) {
		SL_LOG(pktbuf, ERR, "attach: buffer %p is not a fresh direct buffer", (void *)p);
		return -EINVAL;
	}
	if (to->flags & SL_PKTBUF_F_EXTERNAL) {
		/* Share the external memory itself: one more reference on its shinfo. */
		__atomic_add_fetch(&to->shinfo->refcnt, 1, __ATOMIC_RELAXED);
		p->shinfo = to->shinfo;
		p->flags = SL_PKTBUF_F_EXTERNAL;
	} else {
		owner = (to->flags & SL_PKTBUF_F_INDIRECT) ? to->direct : to;
		sl_pktbuf_refcnt_update(owner, 1);
		p->direct = owner;
		p->flags = SL_PKTBUF_F_INDIRECT;
	}
	p->buf_addr = to->buf_addr;
	p->buf_iova = to->buf_iova;
	p->buf_len = to->buf_len;
	p->data_off = to->data_off;
	p->data_len = to->data_len;
	p->pkt_len = to->data_len;
	p->nb_segs = 1;
	p->port = to->port;
	p->ol_flags = to->ol_flags;
	p->packet_type = to->packet_type;
	p->vlan_tci = to->vlan_tci;
	p->rss_hash = to->rss_hash;
	p->mark = to->mark;
	p->tx_offload = to->tx_offload;
	p->timestamp = to->timestamp;
	return 0;
}

struct sl_pktbuf *sl_pktbuf_clone(struct sl_pktbuf *p, struct sl_pool *pool)
{
	struct sl_pktbuf *head = NULL, *prev = NULL;

	for (struct sl_pktbuf *seg = p; seg; seg = seg->next) {
		struct sl_pktbuf *c = sl_pktbuf_alloc(pool);

		if (c == NULL) {
			sl_pktbuf_free(head);
			errno = ENOENT;
			return NULL;
		}
		sl_pktbuf_attach(c, seg);
		if (prev)
			prev->next = c;
		else
			head = c;
		prev = c;
	}
	head->nb_segs = p->nb_segs;
	head->pkt_len = p->pkt_len;
	return head;
}

int sl_pktbuf_attach_extbuf(struct sl_pktbuf *p, void *addr, uint64_t iova, uint16_t len,
			    struct sl_pktbuf_ext_shinfo *shinfo)
{
	if (addr == NULL || shinfo == NULL || shinfo->free_cb == NULL || p->flags) {
		SL_LOG(pktbuf, ERR,
		       "attach_extbuf: needs memory, a shinfo with a free callback and a direct buffer");
		return -EINVAL;
	}
	__atomic_add_fetch(&shinfo->refcnt, 1, __ATOMIC_RELAXED);
	p->shinfo = shinfo;
	p->flags = SL_PKTBUF_F_EXTERNAL;
	p->buf_addr = addr;
	p->buf_iova = iova;
	p->buf_len = len;
	p->data_off = 0;
	p->data_len = 0;
	p->pkt_len = 0;
	return 0;
}

int sl_pktbuf_check(const struct sl_pktbuf *p, const char **why)
{
	const char *reason = NULL;
	uint32_t total = 0;
	unsigned segs = 0;

	if (p == NULL)
		reason = "NULL packet";
	else if (p->pool == NULL)
		reason = "no pool";
	else if (sl_pktbuf_refcnt_read(p) == 0)
		reason = "reference count is 0 (already freed?)";
	for (const struct sl_pktbuf *s = p; reason == NULL && s; s = s->next) {
		if ((uint32_t)s->data_off + s->data_len > s->buf_len)
			reason = "segment data runs past its buffer";
		total += s->data_len;
		if (++segs > p->nb_segs)
			reason = "more segments than nb_segs";
	}
	if (reason == NULL && segs != p->nb_segs)
		reason = "fewer segments than nb_segs";
	if (reason == NULL && total != p->pkt_len)
		reason = "pkt_len is not the sum of data_len";
	if (why)
		*why = reason;
	return reason ? -EINVAL : 0;
}

static const struct {
	uint64_t flag;
	const char *name;
} flag_names[] = {
	{SL_PKT_RX_VLAN, "RX_VLAN"},
	{SL_PKT_RX_RSS_HASH, "RX_RSS_HASH"},
	{SL_PKT_RX_IP_CKSUM_GOOD, "RX_IP_CKSUM_GOOD"},
	{SL_PKT_RX_IP_CKSUM_BAD, "RX_IP_CKSUM_BAD"},
	{SL_PKT_RX_L4_CKSUM_GOOD, "RX_L4_CKSUM_GOOD"},
	{SL_PKT_RX_L4_CKSUM_BAD, "RX_L4_CKSUM_BAD"},
	{SL_PKT_RX_VLAN_STRIPPED, "RX_VLAN_STRIPPED"},
	{SL_PKT_RX_TIMESTAMP, "RX_TIMESTAMP"},
	{SL_PKT_TX_VLAN, "TX_VLAN"},
	{SL_PKT_TX_IP_CKSUM, "TX_IP_CKSUM"},
	{SL_PKT_TX_TCP_CKSUM, "TX_TCP_CKSUM"},
	{SL_PKT_TX_UDP_CKSUM, "TX_UDP_CKSUM"},
	{SL_PKT_TX_IPV4, "TX_IPV4"},
	{SL_PKT_TX_IPV6, "TX_IPV6"},
};

const char *sl_pktbuf_flag_name(uint64_t flag)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(flag_names); i++)
		if (flag_names[i].flag == flag)
			return flag_names[i].name;
	return NULL;
}

int sl_pktbuf_ptype_name(uint32_t ptype, char *buf, size_t len)
{
	static const char *const l2[] = {"", "ETHER", "ETHER_VLAN", "ETHER_QINQ", "ETHER_ARP"};
	static const char *const l3[] = {"", "IPV4", "IPV4_EXT", "IPV6", "IPV6_EXT"};
	static const char *const l4[] = {"", "TCP", "UDP", "ICMP", "FRAG", "SCTP", "OTHER"};
	static const char *const tun[] = {"", "VXLAN", "GRE", "GENEVE"};
	unsigned a = ptype & SL_PTYPE_L2_MASK, b = (ptype & SL_PTYPE_L3_MASK) >> 4,
		 c = (ptype & SL_PTYPE_L4_MASK) >> 8, d = (ptype & SL_PTYPE_TUNNEL_MASK) >> 12;
	int n;

	n = snprintf(buf, len, "%s%s%s%s%s%s%s%s", a < 5 ? l2[a] : "L2?",
		     b ? " L3_" : "", b < 5 ? l3[b] : "?", c ? " L4_" : "", c < 7 ? l4[c] : "?",
		     d ? " TUNNEL_" : "", d < 4 ? tun[d] : "?",
		     (ptype & SL_PTYPE_MALFORMED) ? " MALFORMED" : "");
	if (n > 0 && len && buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
	if (ptype == SL_PTYPE_UNKNOWN)
		n = snprintf(buf, len, "UNKNOWN");
	return n;
}

void sl_pktbuf_dump(FILE *out, const struct sl_pktbuf *p, unsigned dump_len)
{
	char ptype[96];
	const char *why = NULL;
	unsigned dumped = 0;

	sl_pktbuf_ptype_name(p->packet_type, ptype, sizeof(ptype));
	fprintf(out, "pktbuf %p: pool %s, pkt_len %u, nb_segs %u, port %u, refcnt %u%s%s\n",
		(const void *)p, p->pool ? p->pool->name : "?", p->pkt_len, p->nb_segs, p->port,
		sl_pktbuf_refcnt_read(p), (p->flags & SL_PKTBUF_F_INDIRECT) ? ", indirect" : "",
		(p->flags & SL_PKTBUF_F_EXTERNAL) ? ", external" : "");
	fprintf(out, "  ol_flags 0x%" PRIx64 ":", p->ol_flags);
	for (size_t i = 0; i < SL_ARRAY_SIZE(flag_names); i++)
		if (p->ol_flags & flag_names[i].flag)
			fprintf(out, " %s", flag_names[i].name);
	fprintf(out, "\n  packet_type 0x%x (%s), rss 0x%08x, vlan %u\n", p->packet_type, ptype,
		p->rss_hash, p->vlan_tci);
	if (sl_pktbuf_check(p, &why) < 0)
		fprintf(out, "  INVALID: %s\n", why);
	for (const struct sl_pktbuf *s = p; s && dumped < dump_len; s = s->next) {
		const unsigned char *d = sl_pktbuf_mtod(s, const unsigned char *);

		fprintf(out, "  segment %p: data_off %u, data_len %u, buf_len %u\n", (const void *)s,
			s->data_off, s->data_len, s->buf_len);
		for (unsigned i = 0; i < s->data_len && dumped < dump_len; i++, dumped++)
			fprintf(out, "%s%02x%s", i % 16 == 0 ? "    " : "", d[i],
				i % 16 == 15 || i + 1 == s->data_len ? "\n" : " ");
	}
}
