/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bonding: one port over several member ports (docs/bonding.md).
 *
 *   net_bonding0,mode=active-backup,member=net_ring0,member=net_ring1
 *   net_bonding0,mode=balance-xor,xmit_policy=l34,member=(net_af_packet0,iface=veth0),...
 *   net_bonding0,mode=802.3ad,member=...,member=...,lacp_rate=fast
 *
 * A member is named (a port created before) or given as a device string in parentheses
 * (the bond creates it, and closes it with itself).  Members are the bond's: the
 * application's SL_PORT_FOREACH skips them.  The calls below add and remove members while
 * the bond runs, and report each member's state.
 */
#ifndef SL_BOND_H
#define SL_BOND_H

#include <stdbool.h>
#include <stdint.h>

#define SL_BOND_MAX_MEMBERS 8

enum sl_bond_mode {
	SL_BOND_ACTIVE_BACKUP = 1, /* one member sends; the next one up takes over */
	SL_BOND_BALANCE_XOR = 2,   /* a hash of the headers picks the member per flow */
	SL_BOND_8023AD = 4,	   /* LACP negotiates the members; xor over those distributing */
};

enum sl_bond_hash { SL_BOND_HASH_L2, SL_BOND_HASH_L23, SL_BOND_HASH_L34 };

struct sl_bond_member_status {
	uint16_t port;	       /* the member's port id */
	bool link_up;	       /* as the monitor last read it */
	bool active;	       /* sends (active-backup: the one; xor, 802.3ad: distributing) */
	uint8_t actor_state;   /* 802.3ad: LACP state bits we send (SL_LACP_STATE_*) */
	uint8_t partner_state; /* 802.3ad: the partner's, from its last LACPDU */
	uint8_t partner_system[6];
	uint16_t partner_key;
};

struct sl_bond_status {
	enum sl_bond_mode mode;
	enum sl_bond_hash hash;
	unsigned nb_members;
	struct sl_bond_member_status members[SL_BOND_MAX_MEMBERS];
};

/* Adds a port as a member (stopped or started; the bond sets it up like itself and starts
 * it when the bond runs).  0, or -errno logged (not a bond, full, the port is a member
 * already or cannot take the bond's queues). */
int sl_bond_member_add(uint16_t bond, uint16_t member);
/* Stops using a member, stops it and hands it back to the application (it shows in
 * SL_PORT_FOREACH again; a member the bond created is closed).  0 or -errno logged. */
int sl_bond_member_remove(uint16_t bond, uint16_t member);
/* Fills st; 0 or -errno (not a bond). */
int sl_bond_status(uint16_t bond, struct sl_bond_status *st);

#endif
