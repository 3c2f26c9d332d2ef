/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_TELEMETRY_PRIV_H
#define SL_TELEMETRY_PRIV_H

#include "sl_log.h"
#include "sl_telemetry.h"

SL_LOG_TYPE_DECLARE(telemetry);

/* What the greeting's "version" says after "Sluice " (the project's version). */
#define SL_TELEMETRY_VERSION "0.1.0"
#define SL_TELEMETRY_STR_(x) #x
#define SL_TELEMETRY_STR(x) SL_TELEMETRY_STR_(x)

struct tel_client;

struct sl_telemetry_req {
	char cmd[SL_TELEMETRY_MAX_CMD];
	json_t *value;
	char error[256];
	bool failed;
	int fd_out;		   /* fd to pass with the reply, -1 for none */
	struct tel_client *client; /* NULL for sl_telemetry_exec() */
};

struct tel_counters {
	uint64_t requests, errors, accepted, refused, truncated;
};
extern struct tel_counters tel_counters;

/* Parses and runs one request into req.  Returns 0 or the error (req->error says it). */
int tel_handle(struct sl_telemetry_req *req, const char *buf, size_t len);
/* {"version", "pid", "max_output_len"} */
json_t *tel_greeting(void);
int tel_client_on_close(struct tel_client *c, void (*fn)(void *arg), void *arg);
void **tel_client_data(struct tel_client *c);
int tel_clients_now(void);

#endif
