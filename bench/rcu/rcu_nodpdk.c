/* SPDX-License-Identifier: BSD-3-Clause */
/* Built instead of rcu_dpdk.c when libdpdk is not found: Sluice's column only. */
#include <stddef.h>

#include "rcu_impl.h"

const struct rcu_impl *rcu_dpdk_impl(void)
{
	return NULL;
}
