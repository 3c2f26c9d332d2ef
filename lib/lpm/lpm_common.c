/* SPDX-License-Identifier: BSD-3-Clause */
/* Writer-side code shared by the IPv4 (lpm.c) and IPv6 (lpm6.c) tables. */
#include <errno.h>
#include <string.h>

#include "lpm_priv.h"

int lpm_check_config(const char *family, const char *name, unsigned name_size, bool have_cfg,
		     uint32_t max_rules, uint32_t groups)
{
	if (name == NULL || name[0] == '\0') {
		SL_LOG(lpm, ERR, "%s name is %s; give a name of 1 to %u characters", family,
		       name == NULL ? "NULL" : "empty", name_size - 1);
		return -EINVAL;
	}
	if (strnlen(name, name_size) >= name_size) {
		SL_LOG(lpm, ERR, "%s name '%s' is %zu characters long; use at most %u", family,
		       name, strlen(name), name_size - 1);
		return -ENAMETOOLONG;
	}
	if (!have_cfg) {
		SL_LOG(lpm, ERR, "%s '%s': config is NULL; pass max_rules and groups", family,
		       name);
		return -EINVAL;
	}
	if (max_rules == 0 || max_rules > LPM_MAX_RULES) {
		SL_LOG(lpm, ERR, "%s '%s': max_rules %u is out of range; use 1 to %u", family, name,
		       max_rules, LPM_MAX_RULES);
		return -EINVAL;
	}
	if (groups == 0 || groups > LPM_MAX_GROUPS) {
		SL_LOG(lpm, ERR, "%s '%s': groups %u is out of range; use 1 to %u", family, name,
		       groups, LPM_MAX_GROUPS);
		return -EINVAL;
	}
	return 0;
}
