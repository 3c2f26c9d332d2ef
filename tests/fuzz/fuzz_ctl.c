/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for lib/ctl's parsers of untrusted text, and the dispatch behind them.
 *
 * The input is used twice:
 *  - as a request line for sl_ctl__parse_request() (not NUL-terminated: ASan sees any read
 *    past it).  An accepted request must respect the limits (1-256 words of at most 4096
 *    bytes), survive a round trip (encode, parse again: the same words and flag), and then
 *    run through sl_ctl_exec() on a server with a few commands (dispatch, the unknown-
 *    command suggestion, help), whose reply must be an object with a boolean "ok" that
 *    encodes to one line;
 *  - up to its first NUL, as a start-up-file line for sl_ctl__split_line(): accepted words
 *    respect the limits and come back the same after quoting every word and splitting
 *    again.
 * A refusal must leave argv NULL and put a one-line message in err.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_ctl.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static struct sl_ctl *ctl;
static char sock_path[64];

static int echo(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)ctx;
	for (int i = 0; i < argc; i++)
		sl_ctl_printf(req, "%s%s", i ? " " : "", argv[i]);
	if (sl_ctl_want_json(req))
		json_object_set_new(sl_ctl_data(req), "words", json_integer(argc));
	return 0;
}

static int usage(struct sl_ctl_req *req, int argc, char **argv, void *ctx)
{
	(void)ctx;
	if (argc != 1)
		return sl_ctl_usage_error(req, "'%s' is not one word", argc ? argv[0] : "");
	return 0;
}

static const struct sl_ctl_cmd cmds[] = {
	{"route add", "PREFIX via GW", "add a route", usage},
	{"route del", "PREFIX", "delete a route", usage},
	{"route show", NULL, "list routes", echo},
	{"neigh show", NULL, "list neighbours", echo},
	{"echo", "WORDS...", "print the words", echo},
	{"a b c", NULL, "three words", echo},
};

static void cleanup(void)
{
	sl_ctl_free(ctl);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sl_ctl_config cfg = {.path = sock_path};

	(void)argc;
	(void)argv;
	snprintf(sock_path, sizeof(sock_path), "/tmp/sluice-fuzz-ctl.%d.sock", (int)getpid());
	ctl = sl_ctl_create(&cfg, NULL);
	CHECK(ctl != NULL);
	CHECK(sl_ctl_register(ctl, cmds, sizeof(cmds) / sizeof(cmds[0])) == 0);
	atexit(cleanup);
	return 0;
}

static void check_err(const char *err, size_t errlen)
{
	size_t n = strnlen(err, errlen);

	CHECK(n > 0 && n < errlen);
	CHECK(memchr(err, '\n', n) == NULL);
}

static void check_words(int argc, char **argv)
{
	CHECK(argc >= 0 && argc <= SL_CTL_MAX_WORDS);
	CHECK(argv[argc] == NULL);
	for (int i = 0; i < argc; i++)
		CHECK(strlen(argv[i]) <= SL_CTL_MAX_WORD);
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	char err[256], **argv, **argv2, *line;
	int argc, argc2, rc;
	bool json, json2;
	json_t *req, *av, *reply = NULL;

	/* A copy of exactly size bytes, so that an over-read is caught. */
	line = malloc(size ? size : 1);
	memcpy(line, data, size);
	rc = sl_ctl__parse_request(line, size, &argc, &argv, &json, err, sizeof(err));
	free(line);
	if (rc < 0) {
		CHECK(argv == NULL && argc == 0);
		check_err(err, sizeof(err));
		return;
	}
	CHECK(argc >= 1);
	check_words(argc, argv);

	/* Round trip. */
	req = json_object();
	av = json_array();
	for (int i = 0; i < argc; i++)
		CHECK(json_array_append_new(av, json_string(argv[i])) == 0);
	json_object_set_new(req, "argv", av);
	json_object_set_new(req, "json", json_boolean(json));
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	CHECK(line != NULL && strchr(line, '\n') == NULL);
	CHECK(sl_ctl__parse_request(line, strlen(line), &argc2, &argv2, &json2, err, sizeof(err)) ==
	      0);
	free(line);
	CHECK(argc2 == argc && json2 == json);
	for (int i = 0; i < argc; i++)
		CHECK(strcmp(argv[i], argv2[i]) == 0);
	free(argv2);

	/* Dispatch. */
	rc = sl_ctl_exec(ctl, argc, argv, &reply);
	CHECK(json_is_object(reply));
	CHECK(json_is_boolean(json_object_get(reply, "ok")));
	CHECK((rc == 0) == json_is_true(json_object_get(reply, "ok")));
	if (rc < 0)
		CHECK(json_is_string(json_object_get(reply, "error")));
	line = json_dumps(reply, JSON_COMPACT);
	CHECK(line != NULL && strchr(line, '\n') == NULL);
	free(line);
	json_decref(reply);
	free(argv);
}

/* Quotes every word so that splitting gives it back: "..." with \" and \\ inside. */
static char *quote_all(int argc, char **argv)
{
	size_t len = 1;
	char *out, *p;

	for (int i = 0; i < argc; i++)
		len += 2 * strlen(argv[i]) + 3;
	out = malloc(len);
	p = out;
	for (int i = 0; i < argc; i++) {
		*p++ = '"';
		for (const char *s = argv[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
		*p++ = ' ';
	}
	*p = '\0';
	return out;
}

static void fuzz_line(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char err[256], **argv, **argv2, *line = malloc(n + 1), *q;
	int argc, argc2, rc;

	memcpy(line, data, n);
	line[n] = '\0';
	rc = sl_ctl__split_line(line, &argc, &argv, err, sizeof(err));
	free(line);
	if (rc < 0) {
		CHECK(argv == NULL && argc == 0);
		check_err(err, sizeof(err));
		return;
	}
	if (argc == 0) {
		CHECK(argv == NULL);
		return;
	}
	check_words(argc, argv);
	q = quote_all(argc, argv);
	CHECK(sl_ctl__split_line(q, &argc2, &argv2, err, sizeof(err)) == 0);
	free(q);
	CHECK(argc2 == argc);
	for (int i = 0; i < argc; i++)
		CHECK(strcmp(argv[i], argv2[i]) == 0);
	free(argv2);
	free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_request(data, size);
	fuzz_line(data, size);
	return 0;
}
