/*
 * ddb.c: the DynamoDB JSON API client: one POST per operation with
 * X-Amz-Target, signed with SigV4 by libcurl (the secret never leaves it),
 * the connection kept alive in the plugin's context, errors parsed from the
 * answer's __type and message.
 */
#include "ddb.h"
#include "config.h"
#include "core.h"
#include "hosts.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct devenv_ddb_buf *b = arg;

	b->data = xrealloc(b->data, b->len + size * n + 1);
	memcpy(b->data + b->len, p, size * n);
	b->len += size * n;
	b->data[b->len] = '\0';
	return size * n;
}

void
devenv_ddb_setup(CURL *h, struct curl_slist **hdrs, const char *endpoint, const char *region,
                 const struct devenv_aws_creds *creds, const char *op, const char *body,
                 const char *amz_date, struct devenv_ddb_buf *out)
{
	char buf[4608], sigv4[256];

	*hdrs = curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.0");
	snprintf(buf, sizeof(buf), "X-Amz-Target: DynamoDB_20120810.%s", op);
	*hdrs = curl_slist_append(*hdrs, buf);
	/* libcurl signs with this time when the header is there. */
	if (amz_date) {
		snprintf(buf, sizeof(buf), "X-Amz-Date: %s", amz_date);
		*hdrs = curl_slist_append(*hdrs, buf);
	}
	if (creds->token[0]) {
		snprintf(buf, sizeof(buf), "X-Amz-Security-Token: %s", creds->token);
		*hdrs = curl_slist_append(*hdrs, buf);
	}
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:dynamodb", region);
	curl_easy_setopt(h, CURLOPT_URL, endpoint);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, creds->key);
	curl_easy_setopt(h, CURLOPT_PASSWORD, creds->secret);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
}

int
devenv_ddb_creds(const struct devenv_aws_creds **out, struct devenv_ctx *ctx)
{
	struct devenv_run *run = ctx->run;
	const char *endpoint = devenv_ddb_endpoint(ctx);
	int err = 0;

	pthread_mutex_lock(&run->mu);
	if (!run->aws_creds) {
		struct devenv_aws_creds *c = xcalloc(1, sizeof(*c));

		if (devenv_aws_creds_load(c) != 0) {
			/* DynamoDB Local and dynalite check only the shape. */
			if (endpoint && devenv_endpoint_is_local(run->cfg, endpoint)) {
				devenv_error_clear();
				snprintf(c->key, sizeof(c->key), "devenvlocal");
				snprintf(c->secret, sizeof(c->secret), "devenvlocal");
			} else {
				err = devenv_error_code();
				free(c);
				c = NULL;
			}
		}
		run->aws_creds = c;
	}
	*out = run->aws_creds;
	pthread_mutex_unlock(&run->mu);
	if (!*out && !err)
		err = devenv_error_set(DEVENV_ECONFIG, "no AWS credentials");
	return err;
}

int
devenv_ddb_result(json_t **out, const char **type, CURLcode cr, long status,
                  const struct devenv_ddb_buf *body, const char *op, const char *endpoint,
                  const char *errbuf)
{
	static _Thread_local char type_buf[128];
	json_t *j;
	int err;

	*out = NULL;
	type_buf[0] = '\0';
	if (type)
		*type = type_buf;
	if (cr != CURLE_OK)
		return devenv_error_set(DEVENV_EUNAVAILABLE, "DynamoDB at %s: %s", endpoint,
		                        errbuf && errbuf[0] ? errbuf : curl_easy_strerror(cr));
	j = body->data ? json_loadb(body->data, body->len, 0, NULL) : NULL;
	if (status == 200 && json_is_object(j)) {
		*out = j;
		return 0;
	}
	{
		const char *t = json_string_value(json_object_get(j, "__type"));
		const char *msg = json_string_value(json_object_get(j, "message"));

		if (!msg)
			msg = json_string_value(json_object_get(j, "Message"));
		if (t && strchr(t, '#'))
			t = strchr(t, '#') + 1;
		snprintf(type_buf, sizeof(type_buf), "%s", t ? t : "");
		err = devenv_error_set(status >= 500 ? DEVENV_EUNAVAILABLE : DEVENV_EFAIL,
		                       "DynamoDB %s: %s%s%s (HTTP %ld)", op,
		                       t               ? t
		                       : status >= 500 ? "server error"
		                                       : "error",
		                       msg ? ": " : "", msg ? msg : "", status);
	}
	json_decref(j);
	return err;
}

int
devenv_ddb_retryable(int code, const char *type)
{
	static const char *const throttled[] = {
		"ThrottlingException",  "ProvisionedThroughputExceededException",
		"RequestLimitExceeded", "LimitExceededException",
		"InternalServerError",  "ServiceUnavailable",
	};

	if (code == DEVENV_EUNAVAILABLE)
		return 1;
	for (size_t i = 0; type && i < ARRAY_SIZE(throttled); i++)
		if (strcmp(type, throttled[i]) == 0)
			return 1;
	return 0;
}

int
devenv_ddb_call(json_t **out, long *http, struct devenv_ctx *ctx, const char *op, const char *body)
{
	const char *endpoint = devenv_ddb_endpoint(ctx);
	const char *region = devenv_ddb_region(ctx);
	const struct devenv_aws_creds *creds;
	struct curl_slist *hdr = NULL;
	struct devenv_ddb_buf resp = { 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode cr;
	int err;

	*out = NULL;
	if (http)
		*http = 0;
	if (!endpoint)
		return devenv_error_set(DEVENV_ECONFIG, "devenv.ini has no [dynamodb] section");
	if ((err = devenv_ddb_creds(&creds, ctx)))
		return err;
	if (!ctx->curl && !(ctx->curl = curl_easy_init()))
		return devenv_error_set(DEVENV_EFAIL, "cannot start libcurl");
	/* The same handle each call: libcurl keeps the connection alive. */
	curl_easy_reset(ctx->curl);
	devenv_ddb_setup(ctx->curl, &hdr, endpoint, region, creds, op, body, NULL, &resp);
	curl_easy_setopt(ctx->curl, CURLOPT_ERRORBUFFER, errbuf);
	cr = curl_easy_perform(ctx->curl);
	curl_slist_free_all(hdr);
	curl_easy_getinfo(ctx->curl, CURLINFO_RESPONSE_CODE, &status);
	if (http)
		*http = cr == CURLE_OK ? status : 0;
	err = devenv_ddb_result(out, NULL, cr, status, &resp, op, endpoint, errbuf);
	free(resp.data);
	return err;
}

/* Checks a key schema against the attribute definitions; NULL or why not. */
static const char *
check_keys(const json_t *keys, const json_t *defs, char *why, size_t n)
{
	const json_t *k, *d;
	size_t i, j;

	if (!json_is_array(keys) || json_array_size(keys) < 1 || json_array_size(keys) > 2)
		return snprintf(why, n, "KeySchema must hold one or two keys"), why;
	json_array_foreach(keys, i, k)
	{
		const char *name = json_string_value(json_object_get(k, "AttributeName"));
		const char *type = json_string_value(json_object_get(k, "KeyType"));
		int defined = 0;

		if (!name || !type || strcmp(type, i == 0 ? "HASH" : "RANGE") != 0)
			return snprintf(why, n,
			                "key %zu must be {\"AttributeName\": ..., \"KeyType\": "
			                "\"%s\"}",
			                i + 1, i == 0 ? "HASH" : "RANGE"),
			       why;
		json_array_foreach(defs, j, d) defined |= json_equal(
		        json_object_get(d, "AttributeName"), json_object_get(k, "AttributeName"));
		if (!defined)
			return snprintf(why, n, "key attribute '%s' is not in AttributeDefinitions",
			                name),
			       why;
	}
	return NULL;
}

/* Checks one CreateTable request as DynamoDB would, so that a bad table
 * stops the run before the first table is created. NULL or why not. */
static const char *
check_table(const json_t *t, char *why, size_t n)
{
	const char *name = json_string_value(json_object_get(t, "TableName"));
	const char *billing = json_string_value(json_object_get(t, "BillingMode"));
	const json_t *defs = json_object_get(t, "AttributeDefinitions"), *d, *pt, *idx;
	static const char *const index_kinds[] = { "GlobalSecondaryIndexes",
		                                   "LocalSecondaryIndexes" };
	size_t i, len;

	if (!json_is_object(t) || !name)
		return snprintf(why, n, "a CreateTable request needs TableName"), why;
	len = strlen(name);
	if (len < 3 || len > 255 ||
	    name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")])
		return snprintf(why, n,
		                "TableName must be 3 to 255 letters, digits, '_', '.' or '-'"),
		       why;
	if (!json_is_array(defs) || json_array_size(defs) == 0)
		return snprintf(why, n, "AttributeDefinitions must be a non-empty array"), why;
	json_array_foreach(defs, i, d)
	{
		const char *type = json_string_value(json_object_get(d, "AttributeType"));

		if (!json_string_value(json_object_get(d, "AttributeName")) || !type ||
		    (strcmp(type, "S") && strcmp(type, "N") && strcmp(type, "B")))
			return snprintf(why, n, "attribute %zu: AttributeType must be S, N or B",
			                i + 1),
			       why;
	}
	if (check_keys(json_object_get(t, "KeySchema"), defs, why, n))
		return why;
	if (billing && strcmp(billing, "PROVISIONED") && strcmp(billing, "PAY_PER_REQUEST"))
		return snprintf(why, n, "BillingMode must be PROVISIONED or PAY_PER_REQUEST"), why;
	for (size_t k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(t, index_kinds[k]), i, idx)
		{
			char sub[256];

			if (!json_string_value(json_object_get(idx, "IndexName")))
				return snprintf(why, n, "%s[%zu] needs IndexName", index_kinds[k],
				                i),
				       why;
			if (check_keys(json_object_get(idx, "KeySchema"), defs, sub, sizeof(sub)))
				return snprintf(
				               why, n, "index %s: %s",
				               json_string_value(json_object_get(idx, "IndexName")),
				               sub),
				       why;
		}
	}
	/* Capacity, on the table and on each global index. */
	for (size_t k = 0; k <= json_array_size(json_object_get(t, "GlobalSecondaryIndexes"));
	     k++) {
		pt = json_object_get(
		        k == 0 ? t
		               : json_array_get(json_object_get(t, "GlobalSecondaryIndexes"),
		                                k - 1),
		        "ProvisionedThroughput");
		if (!pt)
			continue;
		if (!json_is_integer(json_object_get(pt, "ReadCapacityUnits")) ||
		    !json_is_integer(json_object_get(pt, "WriteCapacityUnits")) ||
		    json_integer_value(json_object_get(pt, "ReadCapacityUnits")) < 1 ||
		    json_integer_value(json_object_get(pt, "WriteCapacityUnits")) < 1)
			return snprintf(why, n,
			                "ProvisionedThroughput needs whole ReadCapacityUnits and "
			                "WriteCapacityUnits of at least 1"),
			       why;
	}
	return NULL;
}

int
devenv_ddb_schema(json_t **out, struct devenv_ctx *ctx)
{
	json_t *all = json_array();

	*out = NULL;
	for (const char *const *f = devenv_cfg_list(ctx, "dynamodb", "schema"); *f; f++) {
		const char *shown = devenv_path_display(ctx, *f);
		json_error_t je;
		json_t *j, *t;
		size_t i, len;
		char *text, why[512];

		if (devenv_read_file(&text, &len, *f, shown) != 0) {
			json_decref(all);
			return DEVENV_EDATA;
		}
		j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
		free(text);
		if (!j) {
			json_decref(all);
			return devenv_error_set_at(DEVENV_EDATA, shown, je.line > 0 ? je.line : 0,
			                           je.column > 0 ? je.column : 0, "%s", je.text);
		}
		if (json_is_object(j)) {
			json_t *a = json_array();

			json_array_append_new(a, j);
			j = a;
		}
		if (!json_is_array(j)) {
			json_decref(j);
			json_decref(all);
			return devenv_error_set_at(
			        DEVENV_EDATA, shown, 0, 0,
			        "expected a CreateTable request or an array of them");
		}
		json_array_foreach(j, i, t)
		{
			const char *name = json_string_value(json_object_get(t, "TableName"));
			const json_t *u;
			size_t k;
			int twice = 0;

			if (check_table(t, why, sizeof(why))) {
				/* A table by its name (cut when absurdly long), else by its place.
				 */
				int err = name ? devenv_error_set_at(DEVENV_EDATA, shown, 0, 0,
				                                     "table %.64s%s: %s", name,
				                                     strlen(name) > 64 ? "..." : "",
				                                     why)
				               : devenv_error_set_at(DEVENV_EDATA, shown, 0, 0,
				                                     "table %zu: %s", i + 1, why);

				json_decref(j);
				json_decref(all);
				return err;
			}
			json_array_foreach(all, k, u) twice |= json_equal(
			        json_object_get(u, "TableName"), json_object_get(t, "TableName"));
			for (size_t m = 0; m < i; m++)
				twice |= json_equal(
				        json_object_get(json_array_get(j, m), "TableName"),
				        json_object_get(t, "TableName"));
			if (twice) {
				int err = devenv_error_set_at(DEVENV_EDATA, shown, 0, 0,
				                              "table %s is defined twice", name);

				json_decref(j);
				json_decref(all);
				return err;
			}
		}
		json_array_extend(all, j);
		json_decref(j);
	}
	*out = all;
	return 0;
}

/* A table's state: "ACTIVE" (with every index), "CREATING", ..., or "" when
 * it does not exist. */
static int
table_state(char *out, size_t n, struct devenv_ctx *ctx, const char *table)
{
	json_t *req = json_pack("{s:s}", "TableName", table), *resp = NULL, *t, *gsi;
	char *body = json_dumps(req, JSON_COMPACT);
	long http = 0;
	int err = devenv_ddb_call(&resp, &http, ctx, "DescribeTable", body);
	size_t i;

	free(body);
	json_decref(req);
	out[0] = '\0';
	if (err && http == 400 && strstr(devenv_error_last(), "ResourceNotFoundException")) {
		devenv_error_clear();
		return 0;
	}
	if (err)
		return err;
	t = json_object_get(resp, "Table");
	snprintf(out, n, "%s", json_string_value(json_object_get(t, "TableStatus")) ?: "");
	json_array_foreach(json_object_get(t, "GlobalSecondaryIndexes"), i, gsi)
	{
		const char *st = json_string_value(json_object_get(gsi, "IndexStatus"));

		if (st && strcmp(st, "ACTIVE") != 0 && strcmp(out, "ACTIVE") == 0)
			snprintf(out, n, "INDEX %s", st);
	}
	json_decref(resp);
	return 0;
}

int
devenv_ddb_wait_table(struct devenv_ctx *ctx, const char *table, int gone, long timeout_s)
{
	int64_t deadline = devenv_now_ms() + timeout_s * 1000;
	char state[64];
	int delay = 10, err;

	for (;;) {
		if ((err = table_state(state, sizeof(state), ctx, table)))
			return err;
		if (gone ? state[0] == '\0' : strcmp(state, "ACTIVE") == 0)
			return 0;
		if (devenv_cancelled(ctx))
			return devenv_error_set(DEVENV_ECANCELLED, "cancelled");
		if (devenv_now_ms() + delay > deadline)
			return devenv_error_set(DEVENV_EUNAVAILABLE,
			                        "table %s did not become %s in %ld s (it is %s)",
			                        table, gone ? "gone" : "ACTIVE", timeout_s,
			                        state[0] ? state : "missing");
		devenv_sleep_ms(delay);
		delay = delay < 100 ? delay * 2 : 100;
	}
}
