/*
 * fuzz_seed.c: DynamoDB seed files through devenv_ddb_seed_parse, against a
 * fixed schema (table "t": pk S HASH, sk N RANGE), and the attribute-value
 * checker on its own.
 *
 * Input: the first byte picks the format (odd: "t.jsonl", export lines;
 * even: "seed.json", RequestItems), the rest is the file's text, handed over
 * without a NUL after it. The seed corpus starts its files with '1' or '0'.
 */
#include "core.h"
#include "ddb.h"
#include "ddb_item.h"
#include "fuzz.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char schema_text[] = "[{\"TableName\": \"t\","
                                  "  \"AttributeDefinitions\": ["
                                  "    {\"AttributeName\": \"pk\", \"AttributeType\": \"S\"},"
                                  "    {\"AttributeName\": \"sk\", \"AttributeType\": \"N\"}],"
                                  "  \"KeySchema\": ["
                                  "    {\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"},"
                                  "    {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}],"
                                  "  \"BillingMode\": \"PAY_PER_REQUEST\"}]";

static json_t *schema;
static const json_t *table;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	schema = json_loads(schema_text, 0, NULL);
	table = devenv_ddb_find_table(schema, "t");
	if (!table)
		abort();
	return 0;
}

/* What a successful parse promises: every BatchWriteItem body cut from the
 * requests, sent as the bytes the file holds, is one JSON object of exactly
 * its requests, all for "t", each a checked item with a key seen once. */
static void
check_result(const struct devenv_ddb_writes *w)
{
	size_t count = devenv_ddb_writes_count(w);
	json_t *keys = json_object();

	for (size_t first = 0; first < count; first += 25) {
		size_t n = count - first < 25 ? count - first : 25, i;
		char *body = devenv_ddb_writes_body(w, first, n);
		json_t *j = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
		const json_t *ri = json_object_get(j, "RequestItems");
		const json_t *list = json_object_get(ri, "t"), *req;

		CHECK(j && json_object_size(j) == 1 && json_object_size(ri) == 1);
		CHECK(json_array_size(list) == n);
		json_array_foreach(list, i, req)
		{
			const json_t *put = json_object_get(req, "PutRequest");
			const json_t *item =
			        put ? json_object_get(put, "Item")
			            : json_object_get(json_object_get(req, "DeleteRequest"), "Key");
			char why[256];
			char *key;

			CHECK(json_object_size(req) == 1 && json_is_object(item));
			CHECK(devenv_ddb_check_item(item, table, why, sizeof(why)) == 0);
			key = devenv_ddb_item_key(item, table);
			CHECK(!json_object_get(keys, key));
			json_object_set_new(keys, key, json_true());
			free(key);
		}
		json_decref(j);
		free(body);
	}
	json_decref(keys);
}

/* The file's text as devenv reads it: malloc'd, with no NUL after it that
 * a parser could lean on (the fuzzer's own buffer ends exactly there). */
static char *
copy(const char *text, size_t len)
{
	char *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, text, len);
	return p;
}

/* Every BatchWriteItem body of 'w', one after the other (free() it). */
static char *
all_bodies(const struct devenv_ddb_writes *w)
{
	size_t count = devenv_ddb_writes_count(w), len = 0;
	char *all = calloc(1, 1);

	for (size_t first = 0; all && first < count; first += 25) {
		char *body =
		        devenv_ddb_writes_body(w, first, count - first < 25 ? count - first : 25);
		size_t n = strlen(body);

		all = realloc(all, len + n + 1);
		if (all)
			memcpy(all + len, body, n + 1);
		len += n;
		free(body);
	}
	if (!all)
		abort();
	return all;
}

/* The same text read with its request lists cut into parts of a few bytes,
 * on threads: the same requests, or the same first error. */
static void
check_parts(const char *text, size_t len, const char *name, int err, const char *msg,
            const char *bodies)
{
	struct devenv_ddb_writes *w = devenv_ddb_writes_new();
	json_t *seen = json_object();
	char *again;

	devenv_ddb_seed_tuning.parts = 3;
	devenv_ddb_seed_tuning.part_min = 8;
	devenv_error_clear();
	CHECK(devenv_ddb_seed_parse(w, seen, schema, copy(text, len), len, name, "ddb/seed") ==
	      err);
	CHECK(strcmp(devenv_error_last(), msg) == 0);
	if (!err) {
		again = all_bodies(w);
		CHECK(strcmp(again, bodies) == 0);
		free(again);
	}
	devenv_ddb_writes_free(w);
	json_decref(seen);
	devenv_ddb_seed_tuning.parts = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name, *text = (const char *)data + 1;
	struct devenv_ddb_writes *w;
	json_t *seen, *v;
	size_t len;
	int err;

	if (size < 1)
		return 0;
	len = size - 1;
	name = data[0] & 1 ? "t.jsonl" : "seed.json";

	w = devenv_ddb_writes_new();
	seen = json_object();
	devenv_error_clear();
	devenv_ddb_seed_tuning.parts = 1;
	err = devenv_ddb_seed_parse(w, seen, schema, copy(text, len), len, name, "ddb/seed");
	{
		char *msg = strdup(devenv_error_last()), *bodies = all_bodies(w);

		if (!msg)
			abort();
		check_parts(text, len, name, err, msg, bodies);
		if (err) /* what the checks below read */
			devenv_error_set(err, "%s", msg);
		free(msg);
		free(bodies);
	}
	if (err == 0) {
		size_t count = devenv_ddb_writes_count(w);

		check_result(w);
		/* The same file again: every key is now a duplicate. */
		if (count) {
			err = devenv_ddb_seed_parse(w, seen, schema, copy(text, len), len, name,
			                            "ddb/again");
			CHECK(err == DEVENV_EDATA);
			CHECK(strstr(devenv_error_last(), "the same key as ddb/seed"));
			CHECK(devenv_ddb_writes_count(w) == count);
		}
	} else {
		CHECK(err == DEVENV_EDATA);
		CHECK(strncmp(devenv_error_last(), "ddb/seed", 8) == 0);
	}
	devenv_ddb_writes_free(w);
	json_decref(seen);

	/* The whole text as one attribute value, and as an item. */
	v = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	if (v) {
		char why[512] = "";

		if (devenv_ddb_check_value(v, "v", why, sizeof(why), 0) != 0)
			CHECK(why[0] != '\0');
		why[0] = '\0';
		if (devenv_ddb_check_item(v, table, why, sizeof(why)) != 0)
			CHECK(why[0] != '\0');
		free(devenv_ddb_item_key(v, table));
		json_decref(v);
	}
	return 0;
}
