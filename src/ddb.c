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

int
devenv_ddb_schema(json_t **out, struct devenv_ctx *ctx)
{
	json_t *all = json_array();

	*out = NULL;
	for (const char *const *f = devenv_cfg_list(ctx, "dynamodb", "schema"); *f; f++) {
		const char *shown = devenv_path_display(ctx, *f);
		json_error_t je;
		json_t *j = json_load_file(*f, JSON_REJECT_DUPLICATES, &je), *t;
		size_t i;

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

			if (!json_is_object(t) || !name ||
			    !json_is_array(json_object_get(t, "KeySchema")) ||
			    !json_is_array(json_object_get(t, "AttributeDefinitions"))) {
				json_decref(j);
				json_decref(all);
				return devenv_error_set_at(DEVENV_EDATA, shown, 0, 0,
				                           "table %zu: a CreateTable request needs "
				                           "TableName, KeySchema and "
				                           "AttributeDefinitions",
				                           i + 1);
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
