/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parsers of untrusted text: request lines (JSON, through jansson) and start-up-file
 * lines (blank-separated words with "double quotes"), plus the small string helpers their
 * messages need.  Nothing here touches a socket, so the fuzzer (tests/fuzz/fuzz_ctl.c)
 * calls these directly.
 *
 * Both parsers return argv as ONE allocation: the argc + 1 pointers, then the words with
 * their NULs, so a caller frees it with free() and a failure leaves nothing to undo.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_priv.h"

#define REQ_HINT "send one JSON object per line: {\"argv\": [\"help\"]}"
#define ARGV_HINT "send {\"argv\": [\"WORD\", ...]}"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *ctl_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
	default:
		return "null";
	}
}

/* One allocation holding argc + 1 pointers and the words; NULL when out of memory. */
static char **pack(int argc, const char *const *words, const size_t *lens)
{
	size_t bytes = (size_t)(argc + 1) * sizeof(char *);
	char **argv, *p;
	int i;

	for (i = 0; i < argc; i++)
		bytes += lens[i] + 1;
	argv = malloc(bytes);
	if (argv == NULL)
		return NULL;
	p = (char *)(argv + argc + 1);
	for (i = 0; i < argc; i++) {
		argv[i] = p;
		memcpy(p, words[i], lens[i]);
		p[lens[i]] = '\0';
		p += lens[i] + 1;
	}
	argv[argc] = NULL;
	return argv;
}

/* Copies jansson's message, which may quote raw input, with only printable ASCII kept. */
static void clean_ascii(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	if (n)
		dst[i] = '\0';
}

int sl_ctl__parse_request(const char *buf, size_t len, int *argc, char ***argv, bool *json,
			  char *err, size_t errlen)
{
	const char *words[SL_CTL_MAX_WORDS];
	size_t lens[SL_CTL_MAX_WORDS];
	json_error_t jerr;
	json_t *root, *av, *js;
	char text[sizeof(jerr.text)];
	size_t i, n;
	int rc = -EINVAL;

	*argc = 0;
	*argv = NULL;
	*json = false;
	if (errlen)
		err[0] = '\0';
	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r')
			break;
	if (i == len) {
		set_err(err, errlen, "empty request line; " REQ_HINT);
		return -EINVAL;
	}
	root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		clean_ascii(text, sizeof(text), jerr.text);
		set_err(err, errlen, "malformed JSON at byte %d: %s; " REQ_HINT, jerr.position,
			text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		set_err(err, errlen, "request is %s, not an object; " ARGV_HINT,
			ctl_json_type(root));
		goto out;
	}
	av = json_object_get(root, "argv");
	if (av == NULL) {
		set_err(err, errlen, "request has no \"argv\"; " ARGV_HINT);
		goto out;
	}
	if (!json_is_array(av)) {
		set_err(err, errlen, "\"argv\" is %s, not an array of strings; " ARGV_HINT,
			ctl_json_type(av));
		goto out;
	}
	n = json_array_size(av);
	if (n == 0) {
		set_err(err, errlen, "\"argv\" is empty; give a command ([\"help\"] lists them)");
		goto out;
	}
	if (n > SL_CTL_MAX_WORDS) {
		set_err(err, errlen, "\"argv\" has %zu words; the limit is %d", n,
			SL_CTL_MAX_WORDS);
		rc = -E2BIG;
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *w = json_array_get(av, i);

		if (!json_is_string(w)) {
			set_err(err, errlen, "argv[%zu] is %s, not a string; quote every word", i,
				ctl_json_type(w));
			goto out;
		}
		/* jansson refuses \u0000 unless asked (JSON_ALLOW_NUL), so words are C strings. */
		lens[i] = json_string_length(w);
		if (lens[i] > SL_CTL_MAX_WORD) {
			set_err(err, errlen, "argv[%zu] is %zu bytes long; the limit is %d", i,
				lens[i], SL_CTL_MAX_WORD);
			rc = -ENAMETOOLONG;
			goto out;
		}
		words[i] = json_string_value(w);
	}
	js = json_object_get(root, "json");
	if (js != NULL && !json_is_boolean(js)) {
		set_err(err, errlen, "\"json\" is %s; use true or false", ctl_json_type(js));
		goto out;
	}
	*argv = pack((int)n, words, lens);
	if (*argv == NULL) {
		set_err(err, errlen, "out of memory parsing a request of %zu words", n);
		rc = -ENOMEM;
		goto out;
	}
	*argc = (int)n;
	*json = js != NULL && json_is_true(js);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int sl_ctl__split_line(const char *line, int *argc, char ***argv, char *err, size_t errlen)
{
	const char *words[SL_CTL_MAX_WORDS];
	size_t lens[SL_CTL_MAX_WORDS];
	size_t len = strlen(line), i = 0, o = 0;
	char *scratch;
	int n = 0, rc = 0;

	*argc = 0;
	*argv = NULL;
	if (errlen)
		err[0] = '\0';
	/* Unquoting never lengthens a word, so the words fit in a buffer as long as the line
	 * (plus one NUL per word, each taking the place of a blank or the final NUL). */
	scratch = malloc(len + 1);
	if (scratch == NULL) {
		set_err(err, errlen, "out of memory splitting a line of %zu bytes", len);
		return -ENOMEM;
	}
	for (;;) {
		size_t start, quote = 0;
		bool inq = false;

		while (i < len && blank(line[i]))
			i++;
		if (i == len || line[i] == '#')
			break;
		if (n == SL_CTL_MAX_WORDS) {
			set_err(err, errlen, "line has more than %d words; the limit is %d",
				SL_CTL_MAX_WORDS, SL_CTL_MAX_WORDS);
			rc = -E2BIG;
			goto out;
		}
		start = o;
		while (i < len && (inq || !blank(line[i]))) {
			char c = line[i++];

			if (c == '"') {
				inq = !inq;
				quote = i;
			} else if (inq && c == '\\' && i < len &&
				   (line[i] == '"' || line[i] == '\\')) {
				scratch[o++] = line[i++];
			} else {
				scratch[o++] = c;
			}
		}
		if (inq) {
			set_err(err, errlen,
				"unterminated quote at column %zu; close it with \" (write \\\" "
				"for a quote inside)",
				quote);
			rc = -EINVAL;
			goto out;
		}
		if (o - start > SL_CTL_MAX_WORD) {
			set_err(err, errlen, "word %d is %zu bytes long; the limit is %d", n + 1,
				o - start, SL_CTL_MAX_WORD);
			rc = -ENAMETOOLONG;
			goto out;
		}
		words[n] = scratch + start;
		lens[n] = o - start;
		n++;
		scratch[o++] = '\0';
	}
	if (n > 0) {
		*argv = pack(n, words, lens);
		if (*argv == NULL) {
			set_err(err, errlen, "out of memory splitting a line of %d words", n);
			rc = -ENOMEM;
			goto out;
		}
	}
	*argc = n;
out:
	free(scratch);
	return rc;
}

void ctl_join(char *out, size_t outlen, int argc, char *const *argv)
{
	size_t o = 0, limit = outlen > 4 ? outlen - 4 : 0;
	int i;

	if (outlen == 0)
		return;
	for (i = 0; i < argc; i++) {
		const unsigned char *w = (const unsigned char *)argv[i];

		if (i > 0 && o < limit)
			out[o++] = ' ';
		for (; *w && o < limit; w++)
			out[o++] = *w < 0x20 || *w == 0x7f ? '?' : (char)*w;
		if (*w) {
			/* Cut at a character boundary: drop continuation bytes and their lead. */
			while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
				o--;
			if (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
				o--;
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
	}
	out[o < outlen ? o : outlen - 1] = '\0';
}

void ctl_utf8_fix(char *s, size_t len)
{
	unsigned char *p = (unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i], need, cp, min;
		size_t j;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			p[i++] = '?';
			continue;
		}
		for (j = 1; j <= need; j++) {
			if (i + j >= len || (p[i + j] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if (j <= need || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			p[i++] = '?';
			continue;
		}
		i += need + 1;
	}
}

unsigned ctl_distance(const char *a, const char *b)
{
	unsigned d[3][65], *prev2 = d[0], *prev = d[1], *cur = d[2];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 64 || lb > 64)
		return 1000;
	for (j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned *t;

		cur[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned v = prev[j - 1] + (a[i - 1] != b[j - 1]);

			v = SL_MIN(v, prev[j] + 1);
			v = SL_MIN(v, cur[j - 1] + 1);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				v = SL_MIN(v, prev2[j - 2] + 1);
			cur[j] = v;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}
