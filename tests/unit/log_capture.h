/* SPDX-License-Identifier: BSD-3-Clause */
/* Test helper: collects log lines so a test can assert that an error names the bad value.
 * Drivers log from their own threads (memif's control thread), hence the lock. */
#ifndef SL_TEST_LOG_CAPTURE_H
#define SL_TEST_LOG_CAPTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sl_log.h"

struct log_capture {
	pthread_mutex_t lock;
	char text[65536];
	unsigned lines;
};

static inline void log_capture_sink(const struct sl_log_type *type, int level, const char *line,
				    void *arg)
{
	struct log_capture *c = arg;
	size_t used;

	(void)type;
	(void)level;
	pthread_mutex_lock(&c->lock);
	used = strlen(c->text);
	if (used + strlen(line) + 2 < sizeof(c->text)) {
		strcat(c->text, line);
		strcat(c->text, "\n");
	}
	c->lines++;
	pthread_mutex_unlock(&c->lock);
}

/* Starts capturing into c (cleared). */
static inline void log_capture_start(struct log_capture *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	sl_log_set_sink(log_capture_sink, c);
}

/* Forgets the lines captured so far (a case that looks for its own). */
static inline void log_capture_clear(struct log_capture *c)
{
	pthread_mutex_lock(&c->lock);
	c->text[0] = '\0';
	pthread_mutex_unlock(&c->lock);
}

static inline void log_capture_stop(void)
{
	sl_log_set_sink(NULL, NULL);
}

/* True when some captured line contains every one of the given fragments (NULL-ended). */
static inline bool log_capture_has(const struct log_capture *c, const char *a, const char *b)
{
	struct log_capture *w = (struct log_capture *)(uintptr_t)c;
	const char *line = c->text;
	bool found = false;

	pthread_mutex_lock(&w->lock);
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[1024];

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (strstr(buf, a) && (b == NULL || strstr(buf, b))) {
			found = true;
			break;
		}
		line += len + (nl ? 1 : 0);
	}
	pthread_mutex_unlock(&w->lock);
	return found;
}

#endif
