/*
 * ddb_seed.c: DynamoDB seed files, read and checked whole before the first
 * write: a bad item anywhere means nothing is written.
 */
#include "core.h"
#include "ddb.h"
#include "ddb_item.h"
#include "run.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a write request stands: a line (.jsonl) or the table's index (.json). */
struct place {
	const char *shown;
	int line; /* 0: use the index */
	size_t index;
	const char *table;
};

/* What one seed run adds to and checks against. */
struct seed {
	struct devenv_ddb_writes *w;
	json_t *seen; /* table+key -> where first seen (file << 32 | line or index) */
	const json_t *schema;
	const char *shown; /* the file being read */
	const char *text;
	size_t len;
};

static int fail_at(const struct place *p, const char *fmt, ...) DEVENV_PRINTF(2, 3);

/* Sets the error "FILE:LINE: msg" or "FILE: TABLE[INDEX]: msg". */
static int
fail_at(const struct place *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line)
		return devenv_error_set_at(DEVENV_EDATA, p->shown, p->line, 0, "%s", msg);
	return devenv_error_set_at(DEVENV_EDATA, p->shown, 0, 0, "%s[%zu]: %s", p->table, p->index,
	                           msg);
}

/* The line and column (in characters) of byte 'off' of the file. */
static void
line_col(const struct seed *s, size_t off, int *line, int *col)
{
	size_t start = 0;

	*line = 1;
	for (const char *nl = s->text; (nl = memchr(nl, '\n', off - (size_t)(nl - s->text)));
	     start = (size_t)(++nl - s->text))
		++*line;
	*col = 1;
	for (size_t i = start; i < off; i++)
		*col += ((unsigned char)s->text[i] & 0xc0) != 0x80;
}

/* A syntax error at byte 'off': "FILE:LINE:COL: what". */
static int
syntax_at(const struct seed *s, size_t off, const char *what)
{
	int line, col;

	line_col(s, off, &line, &col);
	return devenv_error_set_at(DEVENV_EDATA, s->shown, line, col, "%s%s", what,
	                           off < s->len ? "" : ", found the end of the file");
}

/* jansson's error for a value that starts at byte 'start', placed in the
 * whole file. */
static int
json_fail_at(const struct seed *s, size_t start, const json_error_t *je)
{
	int line, col;

	line_col(s, start, &line, &col);
	if (je->line > 1) {
		line += je->line - 1;
		col = je->column;
	} else if (je->line == 1) {
		col += je->column - 1;
	}
	return devenv_error_set_at(DEVENV_EDATA, s->shown, line, col, "%s", je->text);
}

/* The files seen so far, kept in 'seen' under a key no item key can have. */
#define FILES_KEY "\x1d"

/* Checks an item (or a DeleteRequest's key) and adds its request, whose
 * JSON text is 'text'. */
static int
add_item(struct seed *s, const json_t *item, const char *text, size_t len, int put_wrap,
         const struct place *p)
{
	const json_t *def = devenv_ddb_find_table(s->schema, p->table);
	json_t *files = json_object_get(s->seen, FILES_KEY), *first;
	char why[1024], *key, *id;

	if (!def)
		return fail_at(p, "table '%s' is not in the [dynamodb] schema", p->table);
	if (devenv_ddb_check_item(item, def, why, sizeof(why)) != 0)
		return fail_at(p, "%s", why);
	key = devenv_ddb_item_key(item, def);
	id = xasprintf("%s\x1f%s", p->table, key);
	free(key);
	/* BatchWriteItem refuses a key twice in one request; a seed holding a
	 * key twice is a mistake either way. */
	if ((first = json_object_get(s->seen, id))) {
		json_int_t at = json_integer_value(first);
		const char *fname = json_string_value(json_array_get(files, (size_t)(at >> 32)));
		long pos = (long)(at & 0xffffffff);

		free(id);
		if (p->line)
			return fail_at(p, "the same key as %s:%ld", fname, pos);
		return fail_at(p, "the same key as %s %s[%ld]", fname, p->table, pos);
	}
	json_object_set_new_nocheck(
	        s->seen, id,
	        json_integer((json_int_t)(json_array_size(files) - 1) << 32 |
	                     (json_int_t)(p->line ? (size_t)p->line : p->index)));
	free(id);
	devenv_ddb_writes_push(s->w, devenv_ddb_writes_table(s->w, p->table), text, len, put_wrap);
	return 0;
}

/* A DynamoDB export: one {"Item": {...}} per line, for the table named by
 * the file's base name. */
static int
parse_lines(struct seed *s, const char *table)
{
	const char *text = s->text;
	size_t off = 0, len = s->len;
	int line = 0, err = 0;

	while (off < len && !err) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		json_error_t je;
		json_t *j;

		line++;
		if (n == 0 || (n == 1 && text[off] == '\r')) {
			off += n + 1;
			continue;
		}
		j = json_loadb(text + off, n, JSON_REJECT_DUPLICATES, &je);
		if (!j)
			return devenv_error_set_at(DEVENV_EDATA, s->shown, line, je.column, "%s",
			                           je.text);
		if (!json_is_object(j) || json_object_size(j) != 1 ||
		    !json_is_object(json_object_get(j, "Item")))
			err = devenv_error_set_at(DEVENV_EDATA, s->shown, line, 0,
			                          "expected {\"Item\": {...}} (a DynamoDB export "
			                          "line)");
		else
			err = add_item(
			        s, json_object_get(j, "Item"), text + off, n, 1,
			        &(struct place){ .shown = s->shown, .line = line, .table = table });
		json_decref(j);
		off += n + 1;
	}
	return err;
}

static size_t
skip_space(const struct seed *s, size_t off)
{
	while (off < s->len && (s->text[off] == ' ' || s->text[off] == '\t' ||
	                        s->text[off] == '\n' || s->text[off] == '\r'))
		off++;
	return off;
}

/* Whether the file has 'c' at 'off'. */
static int
at(const struct seed *s, size_t off, char c)
{
	return off < s->len && s->text[off] == c;
}

/* One table's write requests, '[' at 'off'. Each request is parsed alone
 * (jansson stops after it and says where), checked, and kept as the bytes it
 * was written as. '*end' is the offset after ']'. */
static int
parse_table(struct seed *s, size_t off, const char *table, size_t *end)
{
	size_t index = 0;
	int err = 0;

	off = skip_space(s, off + 1);
	if (at(s, off, ']')) {
		*end = off + 1;
		return 0;
	}
	for (;;) {
		struct place p = { .shown = s->shown, .index = index, .table = table };
		json_error_t je;
		json_t *req, *put, *del, *item;
		size_t start = off;

		if (!at(s, off, '{'))
			return off < s->len
			               ? fail_at(&p, "expected {\"PutRequest\": {\"Item\": {...}}} "
			                             "or {\"DeleteRequest\": {\"Key\": {...}}}")
			               : syntax_at(s, off, "a write request expected");
		req = json_loadb(s->text + off, s->len - off,
		                 JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &je);
		if (!req)
			return json_fail_at(s, start, &je);
		off += (size_t)je.position;
		put = json_object_get(req, "PutRequest");
		del = json_object_get(req, "DeleteRequest");
		item = put   ? json_object_get(put, "Item")
		       : del ? json_object_get(del, "Key")
		             : NULL;
		if (json_object_size(req) != 1 || !item)
			err = fail_at(&p, "expected {\"PutRequest\": {\"Item\": {...}}} or "
			                  "{\"DeleteRequest\": {\"Key\": {...}}}");
		else
			err = add_item(s, item, s->text + start, off - start, 0, &p);
		json_decref(req);
		if (err)
			return err;
		index++;
		off = skip_space(s, off);
		if (at(s, off, ']')) {
			*end = off + 1;
			return 0;
		}
		if (!at(s, off, ','))
			return syntax_at(s, off, "expected ',' or ']' after a write request");
		off = skip_space(s, off + 1);
	}
}

/* BatchWriteItem's RequestItems: {"Table": [request, ...], ...}. jansson
 * reads every name and request; this walks the two levels around them, so
 * that no tree of the whole file is ever built. */
static int
parse_request_items(struct seed *s)
{
	json_t *tables = json_object();
	size_t off = skip_space(s, 0);
	int err = 0;

	if (!at(s, off, '{')) {
		err = syntax_at(s, off,
		                "expected {\"Table\": [{\"PutRequest\": ...}, ...]} "
		                "(BatchWriteItem RequestItems)");
		goto out;
	}
	off = skip_space(s, off + 1);
	while (!at(s, off, '}')) {
		json_error_t je;
		json_t *name;
		const char *table;
		size_t start = off;

		if (!at(s, off, '"')) {
			err = syntax_at(s, off, "expected a table name in double quotes");
			goto out;
		}
		name = json_loadb(s->text + off, s->len - off,
		                  JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je);
		if (!name) {
			err = json_fail_at(s, start, &je);
			goto out;
		}
		table = json_string_value(name);
		if (json_object_get(tables, table)) {
			char what[1024];

			snprintf(what, sizeof(what), "table '%s' is named twice", table);
			json_decref(name);
			err = syntax_at(s, start, what);
			goto out;
		}
		json_object_set_new(tables, table, json_true());
		off = skip_space(s, off + (size_t)je.position);
		if (!at(s, off, ':'))
			err = syntax_at(s, off, "expected ':' after the table name");
		else if (!at(s, off = skip_space(s, off + 1), '['))
			err = devenv_error_set_at(DEVENV_EDATA, s->shown, 0, 0,
			                          "%s: expected an array of write requests", table);
		else
			err = parse_table(s, off, table, &off);
		json_decref(name);
		if (err)
			goto out;
		off = skip_space(s, off);
		if (at(s, off, ','))
			off = skip_space(s, off + 1);
		else if (!at(s, off, '}')) {
			err = syntax_at(s, off,
			                "expected ',' or '}' after a table's write requests");
			goto out;
		}
	}
	off = skip_space(s, off + 1);
	if (off < s->len)
		err = syntax_at(s, off, "expected the end of the file after the RequestItems");
out:
	json_decref(tables);
	return err;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
devenv_ddb_seed_parse(struct devenv_ddb_writes *w, json_t *seen, const json_t *schema, char *text,
                      size_t len, const char *name, const char *shown)
{
	struct seed s = {
		.w = w, .seen = seen, .schema = schema, .shown = shown, .text = text, .len = len
	};
	int err;

	/* The requests point into the text: it lives as long as they do. */
	devenv_ddb_writes_keep(w, text);
	if (!json_object_get(seen, FILES_KEY))
		json_object_set_new(seen, FILES_KEY, json_array());
	json_array_append_new(json_object_get(seen, FILES_KEY), json_string(shown));
	if (ends_with(name, ".jsonl")) {
		char *base = xstrdup(name), *table = basename(base);

		table[strlen(table) - 6] = '\0';
		err = parse_lines(&s, table);
		free(base);
		return err;
	}
	if (ends_with(name, ".json"))
		return parse_request_items(&s);
	return devenv_error_set_at(
	        DEVENV_EDATA, shown, 0, 0,
	        "a seed file is *.json (RequestItems) or *.jsonl (export lines)");
}

int
devenv_ddb_seed_load(struct devenv_ddb_writes **out, const json_t *schema, const char *const *files,
                     const char *const *shown)
{
	struct devenv_ddb_writes *w = devenv_ddb_writes_new();
	json_t *seen = json_object();
	int err = 0;

	*out = NULL;
	for (size_t i = 0; files[i] && !err; i++) {
		char *text;
		size_t len;

		if ((err = devenv_read_file(&text, &len, files[i], shown[i])))
			break;
		err = devenv_ddb_seed_parse(w, seen, schema, text, len, files[i], shown[i]);
	}
	json_decref(seen);
	if (err) {
		devenv_ddb_writes_free(w);
		return err;
	}
	*out = w;
	return 0;
}

int
devenv_ddb_seed_files(struct devenv_ddb_writes **out, struct devenv_ctx *ctx)
{
	const char *const *files = devenv_cfg_list(ctx, "dynamodb", "seed");
	const char **shown;
	json_t *schema = NULL;
	size_t n = 0;
	int err;

	*out = NULL;
	if ((err = devenv_ddb_schema(&schema, ctx)))
		return err;
	while (files[n])
		n++;
	shown = xcalloc(n + 1, sizeof(*shown));
	for (size_t i = 0; i < n; i++)
		shown[i] = devenv_path_display(ctx, files[i]);
	err = devenv_ddb_seed_load(out, schema, files, shown);
	free(shown);
	json_decref(schema);
	return err;
}
