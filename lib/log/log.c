/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sl_common.h"
#include "sl_log.h"

SL_LOG_TYPE_DEFINE(sluice)

/* Level rules in the order given; a later rule wins.  Kept so that types registered
 * after sl_log_set_levels() (a library loaded late) still get the user's level. */
struct level_rule {
	char pattern[SL_NAME_SIZE];
	int level;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sl_log_type *types;
static struct level_rule rules[32];
static unsigned nb_rules;
static sl_log_sink_fn sink;
static void *sink_arg;

static const char *const level_names[] = {
	[SL_LOG_ERR] = "error",   [SL_LOG_WARNING] = "warning", [SL_LOG_NOTICE] = "notice",
	[SL_LOG_INFO] = "info",   [SL_LOG_DEBUG] = "debug",
};

const char *sl_log_level_name(int level)
{
	if (level < SL_LOG_ERR || level > SL_LOG_DEBUG)
		return "?";
	return level_names[level];
}

int sl_log_parse_level(const char *word)
{
	static const struct {
		const char *name;
		int level;
	} words[] = {
		{"err", SL_LOG_ERR},         {"error", SL_LOG_ERR},     {"warn", SL_LOG_WARNING},
		{"warning", SL_LOG_WARNING}, {"notice", SL_LOG_NOTICE}, {"info", SL_LOG_INFO},
		{"debug", SL_LOG_DEBUG},
	};
	char *end;
	long n;

	for (size_t i = 0; i < SL_ARRAY_SIZE(words); i++)
		if (strcasecmp(word, words[i].name) == 0)
			return words[i].level;
	/* Numbers follow syslog/DPDK: 1..8, where 4 is error and 8 debug. */
	n = strtol(word, &end, 10);
	if (*word == '\0' || *end != '\0' || n < 1 || n > 8)
		return -EINVAL;
	return n <= 4 ? SL_LOG_ERR : (int)n - 3;
}

/* A driver's type "net_af_xdp" also answers to "af_xdp", as its ports do ("af_xdp0"). */
static bool rule_matches(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, 0) == 0 ||
	       (strncmp(name, "net_", 4) == 0 && fnmatch(pattern, name + 4, 0) == 0);
}

static void apply_rules(struct sl_log_type *t)
{
	for (unsigned i = 0; i < nb_rules; i++)
		if (rule_matches(rules[i].pattern, t->name))
			t->level = rules[i].level;
}

void sl_log_register(struct sl_log_type *type)
{
	pthread_mutex_lock(&registry_lock);
	type->next = types;
	types = type;
	apply_rules(type);
	pthread_mutex_unlock(&registry_lock);
}

static int add_rule(const char *pattern, size_t len, int level)
{
	if (len == 0 || len >= SL_NAME_SIZE)
		return -EINVAL;
	if (nb_rules == SL_ARRAY_SIZE(rules)) {
		/* Drop the oldest rule: later rules win anyway. */
		memmove(&rules[0], &rules[1], sizeof(rules) - sizeof(rules[0]));
		nb_rules--;
	}
	memcpy(rules[nb_rules].pattern, pattern, len);
	rules[nb_rules].pattern[len] = '\0';
	rules[nb_rules].level = level;
	nb_rules++;
	return 0;
}

int sl_log_set_levels(const char *spec)
{
	char buf[256];
	char *save = NULL;
	int rc = 0;

	if (spec == NULL || strlen(spec) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, spec);
	pthread_mutex_lock(&registry_lock);
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(item, ':');
		const char *word = colon ? colon + 1 : item;
		int level = sl_log_parse_level(word);

		if (level < 0) {
			rc = -EINVAL;
			break;
		}
		rc = colon ? add_rule(item, (size_t)(colon - item), level) : add_rule("*", 1, level);
		if (rc < 0)
			break;
	}
	for (struct sl_log_type *t = types; t; t = t->next)
		apply_rules(t);
	pthread_mutex_unlock(&registry_lock);
	return rc;
}

void sl_log_set_sink(sl_log_sink_fn fn, void *arg)
{
	pthread_mutex_lock(&registry_lock);
	sink = fn;
	sink_arg = arg;
	pthread_mutex_unlock(&registry_lock);
}

void sl_vlog(const struct sl_log_type *type, int level, const char *fmt, va_list ap)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "sluice: %s: %s: ", type->name,
			 sl_log_level_name(level));

	if (n < 0)
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = (int)strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';

	pthread_mutex_lock(&registry_lock);
	if (sink)
		sink(type, level, line, sink_arg);
	else
		fprintf(stderr, "%s\n", line);
	pthread_mutex_unlock(&registry_lock);
}

void sl_log(const struct sl_log_type *type, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_vlog(type, level, fmt, ap);
	va_end(ap);
}
