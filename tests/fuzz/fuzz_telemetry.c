/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for lib/telemetry's handling of a request datagram from a client.
 *
 * The input is a request as the socket delivers it (at most 1023 bytes, NUL-terminated by
 * the server; the copy here is exactly that).  sl_telemetry__parse() must either accept it
 * (a command of 1-55 characters of '/', letters, digits and '_', and params pointing
 * inside the input after the first ',') or refuse it with a one-line error.  Accepted or
 * not, the request then runs through sl_telemetry_exec() against the built-in commands and
 * a few that take parameters, and the reply datagram built from the outcome must be valid
 * JSON no larger than max_output_len whose top object names the command.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sl_telemetry.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static int cmd_num(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	long v = sl_telemetry_param_uint(req, p, 64);

	(void)cmd, (void)ctx;
	if (v < 0)
		return (int)v;
	sl_telemetry_set(req, json_integer(v));
	return 0;
}

static int cmd_str(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	json_t *arr = json_array();

	(void)cmd, (void)ctx;
	/* echo the params many times: replies that must be cut to fit */
	for (int i = 0; p && i < 64; i++)
		json_array_append_new(arr, json_stringn(p, strlen(p)));
	sl_telemetry_set(req, arr);
	return 0;
}

static const struct sl_telemetry_cmd cmds[] = {
	{"/fuzz/num", cmd_num, "a number below 64"},
	{"/fuzz/str", cmd_str, "its params 64 times"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int registered;
	char buf[SL_TELEMETRY_MAX_REQUEST], cmd[SL_TELEMETRY_MAX_CMD], err[256];
	const char *params;
	json_t *value = NULL, *reply;
	size_t len, out_len;
	bool truncated;
	char *out;
	int rc;

	if (!registered++)
		CHECK(sl_telemetry_register(cmds, 2) == 0);
	if (size >= sizeof(buf))
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	err[0] = '\0';
	rc = sl_telemetry__parse(buf, size, cmd, &params, err, sizeof(err));
	if (rc == 0) {
		len = strlen(cmd);
		CHECK(len >= 1 && len < SL_TELEMETRY_MAX_CMD && cmd[0] == '/');
		for (size_t i = 0; i < len; i++)
			CHECK(cmd[i] == '/' || cmd[i] == '_' || isalnum((unsigned char)cmd[i]));
		CHECK(memcmp(buf, cmd, len) == 0);
		CHECK(params == NULL || (params == buf + len + 1 && buf[len] == ','));
	} else {
		CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		CHECK(params == NULL);
	}
	/* exec stops at the first NUL, as the C string the server hands it */
	rc = sl_telemetry_exec(buf, &value, err, sizeof(err));
	CHECK(rc == 0 || value == NULL);
	CHECK(rc == 0 || (err[0] != '\0' && strchr(err, '\n') == NULL));
	out = sl_telemetry__reply(cmd[0] ? cmd : "error", value, rc < 0 ? err : NULL,
				  SL_TELEMETRY_MAX_OUTPUT, &out_len, &truncated);
	CHECK(out != NULL && out_len <= SL_TELEMETRY_MAX_OUTPUT && strlen(out) == out_len);
	reply = json_loads(out, 0, NULL);
	CHECK(json_is_object(reply));
	CHECK(json_object_get(reply, cmd[0] ? cmd : "error") != NULL);
	json_decref(reply);
	free(out);
	json_decref(value);
	return 0;
}
