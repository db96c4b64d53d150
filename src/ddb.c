/*
 * ddb.c: the DynamoDB JSON API client: one POST per operation with
 * X-Amz-Target, signed with SigV4 by libcurl, the connection kept alive in
 * the plugin's context, errors parsed from the answer's __type and message.
 */
#include "aws.h"
#include "config.h"
#include "core.h"
#include "hosts.h"
#include "run.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct body {
	char *data;
	size_t len;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;

	b->data = xrealloc(b->data, b->len + size * n + 1);
	memcpy(b->data + b->len, p, size * n);
	b->len += size * n;
	b->data[b->len] = '\0';
	return size * n;
}

/* Credentials for 'endpoint': the real ones, or for a local endpoint with
 * none set, dummies (DynamoDB Local and dynalite check only the shape). */
static int
credentials(struct devenv_aws_creds *c, struct devenv_ctx *ctx, const char *endpoint)
{
	if (devenv_aws_creds_load(c) == 0)
		return 0;
	if (!devenv_endpoint_is_local(ctx->run->cfg, endpoint))
		return devenv_error_code();
	devenv_error_clear();
	snprintf(c->key, sizeof(c->key), "devenvlocal");
	snprintf(c->secret, sizeof(c->secret), "devenvlocal");
	c->token[0] = '\0';
	return 0;
}

int
devenv_ddb_call(json_t **out, long *http, struct devenv_ctx *ctx, const char *op, const char *body)
{
	const char *endpoint = devenv_ddb_endpoint(ctx);
	const char *region = devenv_cfg_get(ctx, "dynamodb", "region");
	struct curl_slist *hdr = NULL;
	struct devenv_aws_creds creds;
	struct body resp = { 0 };
	char buf[4608], sigv4[256], errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode cr;
	int err = 0;
	json_t *j = NULL;

	*out = NULL;
	if (http)
		*http = 0;
	if (!endpoint)
		return devenv_error_set(DEVENV_ECONFIG, "devenv.ini has no [dynamodb] section");
	if ((err = credentials(&creds, ctx, endpoint)))
		return err;
	if (!ctx->curl && !(ctx->curl = curl_easy_init()))
		return devenv_error_set(DEVENV_EFAIL, "cannot start libcurl");
	curl_easy_reset(ctx->curl);
	hdr = curl_slist_append(hdr, "Content-Type: application/x-amz-json-1.0");
	snprintf(buf, sizeof(buf), "X-Amz-Target: DynamoDB_20120810.%s", op);
	hdr = curl_slist_append(hdr, buf);
	if (creds.token[0]) {
		snprintf(buf, sizeof(buf), "X-Amz-Security-Token: %s", creds.token);
		hdr = curl_slist_append(hdr, buf);
	}
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:dynamodb", region ? region : "us-east-1");
	curl_easy_setopt(ctx->curl, CURLOPT_URL, endpoint);
	curl_easy_setopt(ctx->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(ctx->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(ctx->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(ctx->curl, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(ctx->curl, CURLOPT_USERNAME, creds.key);
	curl_easy_setopt(ctx->curl, CURLOPT_PASSWORD, creds.secret);
	curl_easy_setopt(ctx->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(ctx->curl, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(ctx->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(ctx->curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(ctx->curl, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(ctx->curl, CURLOPT_NOSIGNAL, 1L);
	cr = curl_easy_perform(ctx->curl);
	curl_slist_free_all(hdr);
	if (cr != CURLE_OK) {
		err = devenv_error_set(DEVENV_EUNAVAILABLE, "DynamoDB at %s: %s", endpoint,
		                       errbuf[0] ? errbuf : curl_easy_strerror(cr));
		goto out;
	}
	curl_easy_getinfo(ctx->curl, CURLINFO_RESPONSE_CODE, &status);
	if (http)
		*http = status;
	j = resp.data ? json_loadb(resp.data, resp.len, 0, NULL) : NULL;
	if (status == 200 && json_is_object(j)) {
		*out = j;
		j = NULL;
	} else if (status >= 500) {
		err = devenv_error_set(DEVENV_EUNAVAILABLE, "DynamoDB %s: HTTP %ld", op, status);
	} else {
		const char *type = json_string_value(json_object_get(j, "__type"));
		const char *msg = json_string_value(json_object_get(j, "message"));

		if (!msg)
			msg = json_string_value(json_object_get(j, "Message"));
		if (type && strchr(type, '#'))
			type = strchr(type, '#') + 1;
		err = devenv_error_set(DEVENV_EFAIL, "DynamoDB %s: %s%s%s (HTTP %ld)", op,
		                       type ? type : "error", msg ? ": " : "", msg ? msg : "",
		                       status);
	}
out:
	json_decref(j);
	free(resp.data);
	return err;
}
