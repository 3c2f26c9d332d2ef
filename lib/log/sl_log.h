/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging with levels and per-library types.
 *
 * Each library defines its type once with SL_LOG_TYPE_DEFINE(ring) and logs with
 * SL_LOG(ring, ERR, "ring size %u is not a power of two; use %u", n, p).  A type's level
 * filters before the arguments are formatted, so a disabled debug line costs one compare.
 * Messages go to stderr unless a sink is set (tests capture lines that way).
 * Thread-safety: logging is safe from any thread; level changes are plain stores.
 */
#ifndef SL_LOG_H
#define SL_LOG_H

#include <stdarg.h>

enum sl_log_level {
	SL_LOG_ERR = 1,
	SL_LOG_WARNING,
	SL_LOG_NOTICE,
	SL_LOG_INFO,
	SL_LOG_DEBUG,
};

struct sl_log_type {
	const char *name;
	int level;                /* messages above this level are dropped */
	struct sl_log_type *next; /* registry list, written once at load time */
};

/* Defines sl_logtype_<name> and adds it to the registry when the library loads. */
#define SL_LOG_TYPE_DEFINE(tname)                                                         \
	struct sl_log_type sl_logtype_##tname = {.name = #tname, .level = SL_LOG_NOTICE};  \
	__attribute__((constructor)) static void sl_logtype_register_##tname(void)         \
	{                                                                                  \
		sl_log_register(&sl_logtype_##tname);                                      \
	}

#define SL_LOG_TYPE_DECLARE(tname) extern struct sl_log_type sl_logtype_##tname

#define SL_LOG(tname, lvl, ...)                                                           \
	do {                                                                               \
		if (SL_LOG_##lvl <= sl_logtype_##tname.level)                              \
			sl_log(&sl_logtype_##tname, SL_LOG_##lvl, __VA_ARGS__);            \
	} while (0)

typedef void (*sl_log_sink_fn)(const struct sl_log_type *type, int level, const char *line,
			       void *arg);

void sl_log_register(struct sl_log_type *type);

/* Formats and emits one line (a newline is added if missing). */
void sl_log(const struct sl_log_type *type, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sl_vlog(const struct sl_log_type *type, int level, const char *fmt, va_list ap);

/*
 * Sets levels from a spec such as "debug", "7", "ring:debug" or "*:info,pool:debug".
 * Returns 0, or -EINVAL for an unknown level word (types that are not registered yet
 * are remembered and applied when they register).
 */
int sl_log_set_levels(const char *spec);

/* Parses "err".."debug" or "1".."8"; returns the level or -EINVAL. */
int sl_log_parse_level(const char *word);
const char *sl_log_level_name(int level);

/* Replaces the stderr sink; NULL restores it. */
void sl_log_set_sink(sl_log_sink_fn fn, void *arg);

SL_LOG_TYPE_DECLARE(sluice);

#endif
