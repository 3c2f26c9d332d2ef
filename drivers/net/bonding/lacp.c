/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "lacp.h"

const char *const lacp_bad_names[LACP_BAD_NR] = {
	[LACP_OK] = "ok",
	[LACP_BAD_SHORT] = "lacp_short",
	[LACP_BAD_NOT_SLOW] = "lacp_not_slow",
	[LACP_BAD_SUBTYPE] = "lacp_subtype",
	[LACP_BAD_VERSION] = "lacp_version",
	[LACP_BAD_TLV] = "lacp_tlv",
};

static const uint8_t slow_mac[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x02};

/* Offsets in the frame: the Ethernet header, then the LACPDU. */
enum {
	OFF_SUBTYPE = 14,
	OFF_VERSION = 15,
	OFF_ACTOR = 16,	    /* TLV 1, length 20 */
	OFF_PARTNER = 36,   /* TLV 2, length 20 */
	OFF_COLLECTOR = 56, /* TLV 3, length 16 */
	OFF_TERM = 72,	    /* TLV 0, length 0 */
	PARSE_MIN = 74,	    /* through the terminator: the 50 reserved bytes may be cut */
};
_Static_assert(OFF_TERM + 2 + 50 == LACP_FRAME_LEN, "LACPDU is 110 bytes after Ethernet");

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool tlv_ok(const uint8_t *f, unsigned off, uint8_t type, uint8_t len)
{
	return f[off] == type && f[off + 1] == len;
}

static void info_read(const uint8_t *t, struct lacp_info *i)
{
	i->sys_prio = rd16(t + 2);
	memcpy(i->sys, t + 4, 6);
	i->key = rd16(t + 10);
	i->port_prio = rd16(t + 12);
	i->port = rd16(t + 14);
	i->state = t[16];
}

static void info_write(uint8_t *t, uint8_t type, const struct lacp_info *i)
{
	t[0] = type;
	t[1] = 20;
	wr16(t + 2, i->sys_prio);
	memcpy(t + 4, i->sys, 6);
	wr16(t + 10, i->key);
	wr16(t + 12, i->port_prio);
	wr16(t + 14, i->port);
	t[16] = i->state;
}

enum lacp_bad lacp_parse(const uint8_t *f, size_t len, struct lacp_pdu *pdu)
{
	if (len < OFF_SUBTYPE + 2)
		return LACP_BAD_SHORT;
	if (memcmp(f, slow_mac, 6) != 0 || rd16(f + 12) != SL_ETHER_TYPE_SLOW)
		return LACP_BAD_NOT_SLOW;
	if (f[OFF_SUBTYPE] != LACP_SUBTYPE)
		return LACP_BAD_SUBTYPE;
	if (f[OFF_VERSION] == 0)
		return LACP_BAD_VERSION;
	if (len < PARSE_MIN)
		return LACP_BAD_SHORT;
	/* Version 1 ends at the terminator; later versions may add TLVs after the first three. */
	if (!tlv_ok(f, OFF_ACTOR, 1, 20) || !tlv_ok(f, OFF_PARTNER, 2, 20) ||
	    !tlv_ok(f, OFF_COLLECTOR, 3, 16) || (f[OFF_VERSION] == 1 && !tlv_ok(f, OFF_TERM, 0, 0)))
		return LACP_BAD_TLV;
	info_read(f + OFF_ACTOR, &pdu->actor);
	info_read(f + OFF_PARTNER, &pdu->partner);
	pdu->max_delay = rd16(f + OFF_COLLECTOR + 2);
	return LACP_OK;
}

void lacp_build(uint8_t f[LACP_FRAME_LEN], const uint8_t src[6], const struct lacp_pdu *pdu)
{
	memset(f, 0, LACP_FRAME_LEN);
	memcpy(f, slow_mac, 6);
	memcpy(f + 6, src, 6);
	wr16(f + 12, SL_ETHER_TYPE_SLOW);
	f[OFF_SUBTYPE] = LACP_SUBTYPE;
	f[OFF_VERSION] = 1;
	info_write(f + OFF_ACTOR, 1, &pdu->actor);
	info_write(f + OFF_PARTNER, 2, &pdu->partner);
	f[OFF_COLLECTOR] = 3;
	f[OFF_COLLECTOR + 1] = 16;
	wr16(f + OFF_COLLECTOR + 2, pdu->max_delay);
}

void lacp_member_init(struct lacp_member *m, const uint8_t sys[6], uint16_t key, uint16_t port,
		      bool fast, uint64_t now)
{
	memset(m, 0, sizeof(*m));
	m->actor.sys_prio = 0xffff;
	memcpy(m->actor.sys, sys, 6);
	m->actor.key = key;
	m->actor.port_prio = 0xff;
	m->actor.port = port;
	m->actor.state = SL_LACP_STATE_ACTIVITY | SL_LACP_STATE_AGGREGATION |
			 SL_LACP_STATE_DEFAULTED | (fast ? SL_LACP_STATE_TIMEOUT : 0);
	m->ntt = true;
	m->next_periodic = now;
	m->tx_window = now;
}

/* The same port of the same system with the same key (states aside). */
static bool same_port(const struct lacp_info *a, const struct lacp_info *b)
{
	return a->sys_prio == b->sys_prio && memcmp(a->sys, b->sys, 6) == 0 && a->key == b->key &&
	       a->port_prio == b->port_prio && a->port == b->port;
}

void lacp_rx(struct lacp_member *m, const struct lacp_pdu *pdu, uint64_t now)
{
	const uint8_t mine = SL_LACP_STATE_ACTIVITY | SL_LACP_STATE_TIMEOUT |
			     SL_LACP_STATE_AGGREGATION | SL_LACP_STATE_SYNC |
			     SL_LACP_STATE_COLLECTING | SL_LACP_STATE_DISTRIBUTING;

	m->rx_pdus++;
	if (!m->partner_valid || !same_port(&m->partner, &pdu->actor)) {
		if (m->partner_valid)
			m->partner_changes++;
		m->selected = false; /* selection looks again */
		m->ntt = true;
	}
	m->partner = pdu->actor;
	m->partner_valid = true;
	m->actor.state &= (uint8_t) ~(SL_LACP_STATE_DEFAULTED | SL_LACP_STATE_EXPIRED);
	m->current_while = now + ((m->actor.state & SL_LACP_STATE_TIMEOUT) ? LACP_SHORT_TIMEOUT_NS
									   : LACP_LONG_TIMEOUT_NS);
	/* It knows this port (what it says of us may lag our latest state by a PDU). */
	m->partner_sees_us = same_port(&pdu->partner, &m->actor) &&
			     (pdu->partner.state & SL_LACP_STATE_AGGREGATION);
	if (!m->partner_sees_us || (pdu->partner.state & mine) != (m->actor.state & mine))
		m->ntt = true; /* tell it what we are */
}

void lacp_tick(struct lacp_member *m, uint64_t now)
{
	if (m->partner_valid && now >= m->current_while) {
		m->partner_valid = false;
		m->partner_sees_us = false;
		m->selected = false;
		m->expired++;
		memset(&m->partner, 0, sizeof(m->partner));
		m->actor.state |= SL_LACP_STATE_DEFAULTED;
		m->ntt = true;
	}
}

bool lacp_select(struct lacp_member *const *m, const bool *link_up, unsigned n)
{
	const struct lacp_info *agg = NULL;
	bool changed = false;

	for (unsigned i = 0; i < n && agg == NULL; i++)
		if (link_up[i] && m[i]->partner_valid &&
		    (m[i]->partner.state & SL_LACP_STATE_AGGREGATION))
			agg = &m[i]->partner;
	for (unsigned i = 0; i < n; i++) {
		const struct lacp_info *p = &m[i]->partner;
		uint8_t was = m[i]->actor.state, st = was;

		m[i]->selected = agg && link_up[i] && m[i]->partner_valid &&
				 (p->state & SL_LACP_STATE_AGGREGATION) &&
				 p->sys_prio == agg->sys_prio && memcmp(p->sys, agg->sys, 6) == 0 &&
				 p->key == agg->key;
		st &= (uint8_t) ~(SL_LACP_STATE_SYNC | SL_LACP_STATE_COLLECTING |
				  SL_LACP_STATE_DISTRIBUTING);
		if (m[i]->selected) {
			st |= SL_LACP_STATE_SYNC;
			if ((p->state & SL_LACP_STATE_SYNC) && m[i]->partner_sees_us)
				st |= SL_LACP_STATE_COLLECTING | SL_LACP_STATE_DISTRIBUTING;
		}
		if (st != was) {
			m[i]->actor.state = st;
			m[i]->ntt = true;
			changed = true;
		}
	}
	return changed;
}

bool lacp_tx_due(struct lacp_member *m, uint64_t now, struct lacp_pdu *pdu)
{
	bool fast = !m->partner_valid || (m->partner.state & SL_LACP_STATE_TIMEOUT);

	if (now >= m->next_periodic)
		m->ntt = true;
	if (!m->ntt)
		return false;
	if (now - m->tx_window >= 1000000000ull) {
		m->tx_window = now;
		m->tx_in_window = 0;
	}
	if (m->tx_in_window >= LACP_MAX_TX_PER_SEC)
		return false; /* stays due: goes out in the next second */
	m->tx_in_window++;
	m->ntt = false;
	m->next_periodic = now + (fast ? LACP_FAST_PERIOD_NS : LACP_SLOW_PERIOD_NS);
	memset(pdu, 0, sizeof(*pdu));
	pdu->actor = m->actor;
	if (m->partner_valid)
		pdu->partner = m->partner;
	m->tx_pdus++;
	return true;
}
