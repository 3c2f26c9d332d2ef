/* SPDX-License-Identifier: BSD-3-Clause */
/* The start request's parameters: a small JSON object, checked member by member. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "capture_priv.h"

#define KEYS "ports, queue, direction, filter, snaplen, ring_kb"

/* Control characters of the client's strings (a key, a direction) become '?', so that the
 * error stays one line. */
static void one_line(char *err)
{
	for (; *err; err++)
		if ((unsigned char)*err < 0x20 || *err == 0x7f)
			*err = '?';
}

/* One line in err, the document freed, -EINVAL returned. */
#define BAD(...)                                                                                   \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		json_decref(root);                                                                 \
		return -EINVAL;                                                                    \
	} while (0)

static int port_word(json_t *v, char out[SL_NAME_SIZE])
{
	if (json_is_integer(v)) {
		json_int_t id = json_integer_value(v);

		if (id < 0 || id >= 65536)
			return -ERANGE;
		snprintf(out, SL_NAME_SIZE, "%lld", (long long)id);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t l = json_string_length(v);

		if (l == 0 || l >= SL_NAME_SIZE || strlen(s) != l)
			return -ENAMETOOLONG;
		memcpy(out, s, l + 1);
		return 0;
	}
	return -EINVAL;
}

static int parse(const char *json, struct sl_capture_params *p, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	size_t len = json ? strnlen(json, SL_CAPTURE_MAX_PARAMS + 1) : 0;

	memset(p, 0, sizeof(*p));
	p->queue = -1;
	p->dirs = SL_CAPTURE_RX | SL_CAPTURE_TX;
	p->snaplen = SL_CAPTURE_DEFAULT_SNAPLEN;
	p->ring_kb = SL_CAPTURE_DEFAULT_RING_KB;
	if (json == NULL || len == 0)
		return 0; /* every port, every queue, both directions */
	if (len > SL_CAPTURE_MAX_PARAMS) {
		snprintf(
			err, errlen,
			"capture parameters are over %d bytes; name fewer ports or a shorter filter",
			SL_CAPTURE_MAX_PARAMS);
		return -EINVAL;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(
			err, errlen,
			"capture parameters are not JSON (byte %d: %s); send an object such as {\"ports\": [0], \"filter\": \"udp\"}",
			jerr.position, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root))
		BAD("capture parameters are not a JSON object; send {\"ports\": [0]}");
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "ports") == 0) {
			size_t i;
			json_t *e;

			if (json_is_string(v) && strcmp(json_string_value(v), "all") == 0)
				continue;
			if (!json_is_array(v) || json_array_size(v) == 0 ||
			    json_array_size(v) > SL_ARRAY_SIZE(p->ports))
				BAD("\"ports\" must be \"all\" or an array of 1 to %zu port ids or names",
				    SL_ARRAY_SIZE(p->ports));
			json_array_foreach(v, i, e)
			{
				if (port_word(e, p->ports[i]) < 0)
					BAD("ports[%zu] is not a port id (0 to 65535) or a name of 1 to %d bytes",
					    i, SL_NAME_SIZE - 1);
			}
			p->nb_ports = (unsigned)json_array_size(v);
		} else if (strcmp(key, "queue") == 0) {
			json_int_t q = json_is_integer(v) ? json_integer_value(v) : -2;

			if (q < -1 || q >= SL_CAPTURE_MAX_QUEUES)
				BAD("\"queue\" must be -1 (every queue) or 0 to %d",
				    SL_CAPTURE_MAX_QUEUES - 1);
			p->queue = (int)q;
		} else if (strcmp(key, "direction") == 0) {
			const char *d = json_is_string(v) ? json_string_value(v) : "";

			if (strcmp(d, "rx") == 0)
				p->dirs = SL_CAPTURE_RX;
			else if (strcmp(d, "tx") == 0)
				p->dirs = SL_CAPTURE_TX;
			else if (strcmp(d, "both") == 0)
				p->dirs = SL_CAPTURE_RX | SL_CAPTURE_TX;
			else
				BAD("\"direction\" '%s' is not rx, tx or both; use one of them",
				    json_is_string(v) ? d : "(not a string)");
		} else if (strcmp(key, "filter") == 0) {
			if (!json_is_string(v) || json_string_length(v) >= sizeof(p->filter) ||
			    strlen(json_string_value(v)) != json_string_length(v))
				BAD("\"filter\" must be a string of at most %zu bytes",
				    sizeof(p->filter) - 1);
			memcpy(p->filter, json_string_value(v), json_string_length(v) + 1);
		} else if (strcmp(key, "snaplen") == 0) {
			json_int_t s = json_is_integer(v) ? json_integer_value(v) : 0;

			if (s < 1 || s > SL_CAPTURE_DEFAULT_SNAPLEN)
				BAD("\"snaplen\" %lld is out of range; use 1 to %d", (long long)s,
				    SL_CAPTURE_DEFAULT_SNAPLEN);
			p->snaplen = (uint32_t)s;
		} else if (strcmp(key, "ring_kb") == 0) {
			json_int_t k = json_is_integer(v) ? json_integer_value(v) : 0;

			if (k < 64 || k > 262144 || (k & (k - 1)))
				BAD("\"ring_kb\" %lld is not a power of two from 64 to 262144; use 4096",
				    (long long)k);
			p->ring_kb = (uint32_t)k;
		} else {
			BAD("unknown capture parameter \"%s\"; the parameters are " KEYS, key);
		}
	}
	json_decref(root);
	if ((uint64_t)p->ring_kb * 1024 < 2 * sl_capture_rec_size(p->snaplen)) {
		snprintf(
			err, errlen,
			"ring_kb %u is too small for snaplen %u; use at least %llu or a smaller snaplen",
			p->ring_kb, p->snaplen,
			(unsigned long long)(2 * sl_capture_rec_size(p->snaplen) + 1023) / 1024);
		return -EINVAL;
	}
	return 0;
}

int sl_capture__parse_params(const char *json, struct sl_capture_params *p, char *err,
			     size_t errlen)
{
	int rc = parse(json, p, err, errlen);

	if (rc < 0 && errlen)
		one_line(err);
	return rc;
}
