/* SPDX-License-Identifier: BSD-3-Clause */
/* What the server (ctl.c), the parsers (ctl_parse.c) and the client (ctl_client.c) share. */
#ifndef SL_CTL_PRIV_H
#define SL_CTL_PRIV_H

#include <stddef.h>

#include "sl_common.h"
#include "sl_ctl.h"
#include "sl_log.h"

SL_LOG_TYPE_DECLARE(ctl);

/* Longest a quoted piece of a request gets in an error message (then "..."). */
#define CTL_QUOTE_MAX 80

/*
 * Joins argv[0..argc) with blanks into out (always NUL-terminated) for quoting in a
 * message: control characters become '?', and a longer result is cut at a character
 * boundary and ends in "...".
 */
void ctl_join(char *out, size_t outlen, int argc, char *const *argv);

/* Replaces every byte that is not part of valid UTF-8 (as jansson checks it: no overlong
 * forms, surrogates or code points above U+10FFFF) with '?', so json_stringn() accepts it. */
void ctl_utf8_fix(char *s, size_t len);

/* Restricted Damerau-Levenshtein (optimal string alignment) distance; strings longer than
 * 64 bytes are at distance 1000. */
unsigned ctl_distance(const char *a, const char *b);

/* "a string", "an array", ...: a JSON value's type as a message says it. */
const char *ctl_json_type(const json_t *v);

#endif
