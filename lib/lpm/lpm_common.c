/* SPDX-License-Identifier: BSD-3-Clause */
/* Writer-side code shared by the IPv4 (lpm.c) and IPv6 (lpm6.c) tables: config checks and
 * the free-group list's grace periods. */
#include <errno.h>
#include <string.h>

#include "lpm_priv.h"
#include "sl_memory.h"

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

void lpm_fifo_ready(struct lpm_fifo *f, uint32_t n)
{
	uint32_t i;
	uint64_t token;

	if (f->rcu == NULL || n == 0)
		return;
	i = f->head + n - 1;
	if (i >= f->size)
		i -= f->size;
	token = f->tokens[i];
	/* Only groups still in their grace period are left: wait for it rather than fail. */
	if (token != 0 && !sl_rcu_check(f->rcu, token, false))
		sl_rcu_check(f->rcu, token, true);
}

void lpm_fifo_reset(struct lpm_fifo *f)
{
	fifo_fill(f);
	if (f->rcu != NULL) {
		const uint64_t token = sl_rcu_start(f->rcu);

		for (uint32_t i = 0; i < f->size; i++)
			f->tokens[i] = token;
	}
}

int lpm_fifo_rcu_set(struct lpm_fifo *f, struct sl_rcu *rcu, const char *family, const char *name,
		     size_t *bytes)
{
	const size_t len = (size_t)f->size * sizeof(*f->tokens);
	uint64_t *tokens;

	if (rcu == f->rcu)
		return 0;
	if (f->rcu != NULL && rcu != NULL) {
		SL_LOG(lpm, ERR,
		       "%s '%s': already uses rcu domain '%s'; detach it first with "
		       "sl_%s_rcu_set(table, NULL)",
		       family, name, f->rcu->name, family);
		return -EBUSY;
	}
	if (rcu == NULL) {
		/* Without a domain groups are reused at once: let their grace periods end. */
		lpm_fifo_ready(f, f->count);
		sl_free(f->tokens);
		f->tokens = NULL;
		f->rcu = NULL;
		*bytes -= len;
		return 0;
	}
	tokens = sl_malloc(len, 0, SL_NODE_ANY); /* zeroed: free groups reusable at once */
	if (tokens == NULL) {
		SL_LOG(lpm, ERR,
		       "%s '%s': cannot get %zu bytes of grace-period tokens for %u groups; "
		       "reserve more memory",
		       family, name, len, f->size);
		return -ENOMEM;
	}
	f->tokens = tokens;
	f->rcu = rcu;
	*bytes += len;
	return 0;
}
