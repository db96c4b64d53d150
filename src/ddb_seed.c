/*
 * ddb_seed.c: DynamoDB seed files, read and checked whole before the first
 * write: a bad item anywhere means nothing is written.
 */
#include "core.h"
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

/* The files seen so far, kept in 'seen' under a key no item key can have. */
#define FILES_KEY "\x1d"

/* Checks one write request and adds it to 'all'. 'seen' maps table+key to
 * where it was first seen (file number << 32 | line or index). */
static int
add_request(json_t *all, json_t *seen, const json_t *schema, json_t *req, const struct place *p)
{
	const json_t *def = devenv_ddb_find_table(schema, p->table);
	json_t *put = json_object_get(req, "PutRequest"),
	       *del = json_object_get(req, "DeleteRequest");
	json_t *item = put   ? json_object_get(put, "Item")
	               : del ? json_object_get(del, "Key")
	                     : NULL;
	json_t *files = json_object_get(seen, FILES_KEY), *first, *list;
	char why[1024], *key, *id;

	if (!def)
		return fail_at(p, "table '%s' is not in the [dynamodb] schema", p->table);
	if (!json_is_object(req) || json_object_size(req) != 1 || !item)
		return fail_at(p, "expected {\"PutRequest\": {\"Item\": {...}}} or "
		                  "{\"DeleteRequest\": {\"Key\": {...}}}");
	if (devenv_ddb_check_item(item, def, why, sizeof(why)) != 0)
		return fail_at(p, "%s", why);
	key = devenv_ddb_item_key(item, def);
	id = xasprintf("%s\x1f%s", p->table, key);
	free(key);
	/* BatchWriteItem refuses a key twice in one request; a seed holding a
	 * key twice is a mistake either way. */
	if ((first = json_object_get(seen, id))) {
		json_int_t at = json_integer_value(first);
		const char *fname = json_string_value(json_array_get(files, (size_t)(at >> 32)));
		long pos = (long)(at & 0xffffffff);

		free(id);
		if (p->line)
			return fail_at(p, "the same key as %s:%ld", fname, pos);
		return fail_at(p, "the same key as %s %s[%ld]", fname, p->table, pos);
	}
	json_object_set_new_nocheck(
	        seen, id,
	        json_integer((json_int_t)(json_array_size(files) - 1) << 32 |
	                     (json_int_t)(p->line ? (size_t)p->line : p->index)));
	free(id);
	if (!(list = json_object_get(all, p->table))) {
		list = json_array();
		json_object_set_new(all, p->table, list);
	}
	json_array_append(list, req);
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
devenv_ddb_seed_parse(json_t *all, size_t *count, json_t *seen, const json_t *schema,
                      const char *text, size_t len, const char *name, const char *shown)
{
	json_error_t je;
	int err = 0;

	if (!json_object_get(seen, FILES_KEY))
		json_object_set_new(seen, FILES_KEY, json_array());
	json_array_append_new(json_object_get(seen, FILES_KEY), json_string(shown));
	if (ends_with(name, ".jsonl")) {
		char *base = xstrdup(name), *table;
		size_t off = 0;
		int line = 0;

		table = basename(base);
		table[strlen(table) - 6] = '\0';
		while (off < len && !err) {
			const char *nl = memchr(text + off, '\n', len - off);
			size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
			json_t *j, *req;

			line++;
			if (n == 0 || (n == 1 && text[off] == '\r')) {
				off += n + 1;
				continue;
			}
			j = json_loadb(text + off, n, JSON_REJECT_DUPLICATES, &je);
			if (!j) {
				err = devenv_error_set_at(DEVENV_EDATA, shown, line, je.column,
				                          "%s", je.text);
				break;
			}
			if (!json_is_object(j) || json_object_size(j) != 1 ||
			    !json_is_object(json_object_get(j, "Item"))) {
				json_decref(j);
				err = devenv_error_set_at(
				        DEVENV_EDATA, shown, line, 0,
				        "expected {\"Item\": {...}} (a DynamoDB export "
				        "line)");
				break;
			}
			req = json_pack("{s:{s:O}}", "PutRequest", "Item",
			                json_object_get(j, "Item"));
			err = add_request(
			        all, seen, schema, req,
			        &(struct place){ .shown = shown, .line = line, .table = table });
			json_decref(req);
			json_decref(j);
			*count += !err;
			off += n + 1;
		}
		free(base);
		return err;
	}
	if (ends_with(name, ".json")) {
		json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *reqs, *req;
		const char *table;
		size_t i;

		if (!j)
			return devenv_error_set_at(DEVENV_EDATA, shown, je.line, je.column, "%s",
			                           je.text);
		if (!json_is_object(j)) {
			json_decref(j);
			return devenv_error_set_at(
			        DEVENV_EDATA, shown, 0, 0,
			        "expected {\"Table\": [{\"PutRequest\": ...}, ...]} "
			        "(BatchWriteItem RequestItems)");
		}
		json_object_foreach(j, table, reqs)
		{
			if (!json_is_array(reqs)) {
				err = devenv_error_set_at(DEVENV_EDATA, shown, 0, 0,
				                          "%s: expected an array of write requests",
				                          table);
				break;
			}
			json_array_foreach(reqs, i, req)
			{
				struct place p = { .shown = shown, .index = i, .table = table };

				if ((err = add_request(all, seen, schema, req, &p)))
					break;
				(*count)++;
			}
			if (err)
				break;
		}
		json_decref(j);
		return err;
	}
	return devenv_error_set_at(
	        DEVENV_EDATA, shown, 0, 0,
	        "a seed file is *.json (RequestItems) or *.jsonl (export lines)");
}

int
devenv_ddb_seed_load(json_t **out, size_t *count, const json_t *schema, const char *const *files,
                     const char *const *shown)
{
	json_t *all = json_object(), *seen = json_object();
	int err = 0;

	*out = NULL;
	*count = 0;
	for (size_t i = 0; files[i] && !err; i++) {
		char *text;
		size_t len;

		if ((err = devenv_read_file(&text, &len, files[i], shown[i])))
			break;
		err = devenv_ddb_seed_parse(all, count, seen, schema, text, len, files[i],
		                            shown[i]);
		free(text);
	}
	json_decref(seen);
	if (err) {
		json_decref(all);
		return err;
	}
	*out = all;
	return 0;
}

int
devenv_ddb_seed_files(json_t **out, size_t *count, struct devenv_ctx *ctx)
{
	const char *const *files = devenv_cfg_list(ctx, "dynamodb", "seed");
	const char **shown;
	json_t *schema = NULL;
	size_t n = 0;
	int err;

	*out = NULL;
	*count = 0;
	if ((err = devenv_ddb_schema(&schema, ctx)))
		return err;
	while (files[n])
		n++;
	shown = xcalloc(n + 1, sizeof(*shown));
	for (size_t i = 0; i < n; i++)
		shown[i] = devenv_path_display(ctx, files[i]);
	err = devenv_ddb_seed_load(out, count, schema, files, shown);
	free(shown);
	json_decref(schema);
	return err;
}
