/*
 * ddb_seed.c: DynamoDB seed files, read and checked whole before the first
 * write: a bad item anywhere means nothing is written.
 */
#include "core.h"
#include "ddb_item.h"
#include "run.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks one write request of 'table' and adds it to 'all'. 'where' names
 * it in errors. 'seen' maps table+key to where it was first seen. */
static int
add_request(json_t *all, json_t *seen, const json_t *schema, const char *table, json_t *req,
            const char *shown, int line, const char *where)
{
	const json_t *def = devenv_ddb_find_table(schema, table);
	json_t *put = json_object_get(req, "PutRequest"),
	       *del = json_object_get(req, "DeleteRequest");
	json_t *item = put   ? json_object_get(put, "Item")
	               : del ? json_object_get(del, "Key")
	                     : NULL;
	char why[1024], *key, *id;
	const char *first;
	json_t *list;

	if (!def)
		return devenv_error_set_at(DEVENV_EDATA, shown, line, 0,
		                           "%stable '%s' is not in the [dynamodb] schema", where,
		                           table);
	if (!json_is_object(req) || json_object_size(req) != 1 || !item)
		return devenv_error_set_at(DEVENV_EDATA, shown, line, 0,
		                           "%sexpected {\"PutRequest\": {\"Item\": {...}}} or "
		                           "{\"DeleteRequest\": {\"Key\": {...}}}",
		                           where);
	if (devenv_ddb_check_item(item, def, why, sizeof(why)) != 0)
		return devenv_error_set_at(DEVENV_EDATA, shown, line, 0, "%s%s", where, why);
	key = devenv_ddb_item_key(item, def);
	id = xasprintf("%s\x1f%s", table, key);
	free(key);
	/* BatchWriteItem refuses a key twice in one request; a seed holding a
	 * key twice is a mistake either way. */
	if ((first = json_string_value(json_object_get(seen, id)))) {
		int err = devenv_error_set_at(DEVENV_EDATA, shown, line, 0, "%sthe same key as %s",
		                              where, first);

		free(id);
		return err;
	}
	{
		char *at =
		        line ? xasprintf("%s:%d", shown, line) : xasprintf("%s %s", shown, where);
		size_t n = strlen(at);

		/* "…: " from 'where' is not part of the place. */
		if (n >= 2 && at[n - 2] == ':' && at[n - 1] == ' ')
			at[n - 2] = '\0';
		json_object_set_new(seen, id, json_string(at));
		free(at);
	}
	free(id);
	if (!(list = json_object_get(all, table))) {
		list = json_array();
		json_object_set_new(all, table, list);
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
			err = add_request(all, seen, schema, table, req, shown, line, "");
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
				char where[300];

				snprintf(where, sizeof(where), "%s[%zu]: ", table, i);
				if ((err = add_request(all, seen, schema, table, req, shown, 0,
				                       where)))
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

		if ((err = devenv_read_file(&text, &len, files[i]))) {
			err = devenv_error_set_at(DEVENV_EDATA, shown[i], 0, 0, "%s",
			                          strstr(devenv_error_last(), ": ")
			                                  ? strstr(devenv_error_last(), ": ") + 2
			                                  : devenv_error_last());
			break;
		}
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
