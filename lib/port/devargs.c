/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "port_priv.h"

int devstr_parse(const char *devstr, char *name, size_t name_len, struct sl_devargs *args)
{
	const char *comma = strchr(devstr, ',');
	size_t len = comma ? (size_t)(comma - devstr) : strlen(devstr);
	const char *p = comma;

	memset(args, 0, sizeof(*args));
	if (len == 0 || len >= name_len) {
		SL_LOG(port, ERR, "device string '%s': the name before the first ',' must be 1 to %zu characters",
		       devstr, name_len - 1);
		return -EINVAL;
	}
	memcpy(name, devstr, len);
	name[len] = '\0';
	while (p && *p == ',') {
		const char *item = p + 1, *end = item, *eq;
		size_t ilen, vskip = 0;
		int depth = 0;

		/* The item ends at a ',' outside parentheses: "dev=(net_tap0,iface=x)" is one. */
		for (; *end && (depth || *end != ','); end++) {
			depth += *end == '(' ? 1 : *end == ')' ? -1 : 0;
			if (depth < 0)
				break;
		}
		if (depth) {
			SL_LOG(port, ERR, "device string '%s': unbalanced parentheses in '%s'",
			       devstr, item);
			return -EINVAL;
		}
		ilen = (size_t)(end - item);
		p = *end ? end : NULL;
		if (ilen == 0)
			continue;
		eq = memchr(item, '=', ilen);
		/* key=(value): the parentheses are the quoting, not the value. */
		if (eq && eq[1] == '(' && item[ilen - 1] == ')')
			vskip = 1;
		if (eq == NULL || eq == item) {
			SL_LOG(port, ERR, "device string '%s': '%.*s' is not key=value", devstr,
			       (int)ilen, item);
			return -EINVAL;
		}
		if (args->n == SL_DEVARGS_MAX || (size_t)(eq - item) >= sizeof(args->kv[0].key) ||
		    ilen - (size_t)(eq - item) - 1 >= sizeof(args->kv[0].value)) {
			SL_LOG(port, ERR, "device string '%s': too many or too long arguments at '%.*s'",
			       devstr, (int)ilen, item);
			return -EINVAL;
		}
		memcpy(args->kv[args->n].key, item, (size_t)(eq - item));
		memcpy(args->kv[args->n].value, eq + 1 + vskip,
		       ilen - (size_t)(eq - item) - 1 - 2 * vskip);
		args->n++;
	}
	return 0;
}

const char *sl_devargs_get(const struct sl_devargs *args, const char *key)
{
	for (unsigned i = 0; i < args->n; i++)
		if (strcmp(args->kv[i].key, key) == 0)
			return args->kv[i].value;
	return NULL;
}

int sl_devargs_uint(const struct sl_devargs *args, const char *port, const char *key,
		    uint64_t min, uint64_t max, uint64_t *out)
{
	const char *v = sl_devargs_get(args, key);
	unsigned long long n;
	char *end;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (*v == '\0' || *v == '-' || *end != '\0' || errno || n < min || n > max) {
		SL_LOG(port, ERR, "%s: %s=%s is not a number in [%llu, %llu]", port, key, v,
		       (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

int sl_devargs_bool(const struct sl_devargs *args, const char *port, const char *key, bool *out)
{
	static const char *const yes[] = {"1", "yes", "true", "on"};
	static const char *const no[] = {"0", "no", "false", "off"};
	const char *v = sl_devargs_get(args, key);

	if (v == NULL)
		return 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	SL_LOG(port, ERR, "%s: %s=%s is not a boolean (use 0 or 1)", port, key, v);
	return -EINVAL;
}
