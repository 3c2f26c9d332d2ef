/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LACP (IEEE 802.1AX, once 802.3ad) for net_bonding: the LACPDU's wire form and a small
 * per-member state machine.  Pure functions of their arguments and the time passed in, so
 * the unit test and the fuzzer drive them without ports or threads.
 *
 * The machine is the standard one reduced to what a bond of one aggregator needs:
 *  - receive: a valid LACPDU records the partner (its actor TLV) and restarts the
 *    current-while timer (3 s with a short timeout, 90 s with a long one); the timer
 *    running out forgets the partner (defaulted, expired counted);
 *  - selection (over the bond): the aggregator is the partner (system, key) of the first
 *    member that has an aggregatable partner; members with that partner are selected;
 *  - mux (coupled control): a selected member is in sync; it collects and distributes
 *    once the partner says it is in sync with us too;
 *  - transmit: periodic (1 s when the partner asks for short timeouts or is unknown,
 *    30 s otherwise), and at once when what we would send changed (need-to-transmit),
 *    at most 3 LACPDUs a second.
 */
#ifndef SL_BOND_LACP_H
#define SL_BOND_LACP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_ETHER_TYPE_SLOW 0x8809
#define LACP_SUBTYPE 1
#define LACP_MARKER_SUBTYPE 2
#define LACP_FRAME_LEN 124 /* Ethernet header + the 110-byte LACPDU */

#define SL_LACP_STATE_ACTIVITY 0x01
#define SL_LACP_STATE_TIMEOUT 0x02 /* short timeout */
#define SL_LACP_STATE_AGGREGATION 0x04
#define SL_LACP_STATE_SYNC 0x08
#define SL_LACP_STATE_COLLECTING 0x10
#define SL_LACP_STATE_DISTRIBUTING 0x20
#define SL_LACP_STATE_DEFAULTED 0x40
#define SL_LACP_STATE_EXPIRED 0x80

#define LACP_FAST_PERIOD_NS 1000000000ull
#define LACP_SLOW_PERIOD_NS 30000000000ull
#define LACP_SHORT_TIMEOUT_NS 3000000000ull
#define LACP_LONG_TIMEOUT_NS 90000000000ull
#define LACP_MAX_TX_PER_SEC 3

/* One end's view of a port, as an actor or partner TLV carries it. */
struct lacp_info {
	uint16_t sys_prio;
	uint8_t sys[6];
	uint16_t key;
	uint16_t port_prio;
	uint16_t port;
	uint8_t state;
};

struct lacp_pdu {
	struct lacp_info actor, partner;
	uint16_t max_delay;
};

/* Why a slow-protocol frame was not taken. */
enum lacp_bad {
	LACP_OK,
	LACP_BAD_SHORT,	   /* shorter than a LACPDU */
	LACP_BAD_NOT_SLOW, /* not to 01:80:c2:00:00:02 type 0x8809 */
	LACP_BAD_SUBTYPE,  /* a marker PDU or an unknown subtype (not answered) */
	LACP_BAD_VERSION,  /* version 0 */
	LACP_BAD_TLV,	   /* a TLV type or length out of place */
	LACP_BAD_NR
};
extern const char *const lacp_bad_names[LACP_BAD_NR];

/* Reads a frame (Ethernet header first); LACP_OK and *pdu, or why not. */
enum lacp_bad lacp_parse(const uint8_t *frame, size_t len, struct lacp_pdu *pdu);
/* Writes a LACP_FRAME_LEN-byte frame from src. */
void lacp_build(uint8_t frame[LACP_FRAME_LEN], const uint8_t src[6], const struct lacp_pdu *pdu);

struct lacp_member {
	struct lacp_info actor;	  /* what we send about this port */
	struct lacp_info partner; /* the partner's actor TLV, while partner_valid */
	bool partner_valid;
	bool partner_sees_us; /* its partner TLV describes our actor as we are */
	bool selected;
	bool ntt;		/* need to transmit */
	uint64_t current_while; /* partner forgotten at this time */
	uint64_t next_periodic;
	uint64_t tx_window; /* start of the second the tx limit counts in */
	unsigned tx_in_window;
	/* Counters (written by the bond's control thread only). */
	uint64_t rx_pdus, tx_pdus, partner_changes, expired, bad[LACP_BAD_NR];
};

/* A member's machine at time now: actor system, key and port number; short timeout if
 * fast.  Starts defaulted, wanting to transmit. */
void lacp_member_init(struct lacp_member *m, const uint8_t sys[6], uint16_t key, uint16_t port,
		      bool fast, uint64_t now);
/* A LACPDU arrived. */
void lacp_rx(struct lacp_member *m, const struct lacp_pdu *pdu, uint64_t now);
/* Timers: forgets a silent partner. */
void lacp_tick(struct lacp_member *m, uint64_t now);
/* Selection over a bond's members (link_up[i] false: not selected); then the mux states.
 * Returns true when any member's actor state changed. */
bool lacp_select(struct lacp_member *const *m, const bool *link_up, unsigned n);
/* Whether to send now; if so fills pdu and counts it. */
bool lacp_tx_due(struct lacp_member *m, uint64_t now, struct lacp_pdu *pdu);
/* True when the member may carry traffic (collecting and distributing). */
static inline bool lacp_distributing(const struct lacp_member *m)
{
	return (m->actor.state & SL_LACP_STATE_DISTRIBUTING) != 0;
}

#endif
