/* plugins/dynamodb/wait.c — ddb.wait: wait until DynamoDB answers ListTables. */
#include <devenv/plugin.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* ListTables answering is ready; no answer or a 5xx is not yet; a client
 * error (bad credentials, say) never will be. */
static int
probe(void *arg, char *why, size_t n)
{
	struct devenv_ctx *ctx = arg;
	json_t *out = NULL;
	long http = 0;
	int err = devenv_ddb_call(&out, &http, ctx, "ListTables", "{\"Limit\":1}");

	json_decref(out);
	if (!err)
		return 0;
	if (http == 0 || http >= 500) {
		snprintf(why, n, "%s", devenv_error_last());
		return 1;
	}
	return -1;
}

static int
run(struct devenv_ctx *ctx)
{
	const char *endpoint = devenv_ddb_endpoint(ctx);
	char *host = NULL, *port = NULL, *scheme = NULL;
	char portbuf[16];
	CURLU *u = curl_url();
	int err;

	if (!u || curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return devenv_error_set(DEVENV_ECONFIG, "[dynamodb] endpoint '%s' is not a URL",
		                        endpoint);
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	snprintf(portbuf, sizeof(portbuf), "%s",
	         port ? port : (scheme && strcmp(scheme, "https") == 0 ? "443" : "80"));
	devenv_set_detail(ctx, "%s", endpoint);
	/* An IPv6 literal comes back as "[::1]"; the resolver wants "::1". */
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	err = devenv_wait(ctx, "DynamoDB", host, portbuf,
	                  devenv_cfg_int(ctx, "dynamodb", "wait_timeout", 60), probe, ctx);
	curl_free(host);
	curl_free(port);
	curl_free(scheme);
	curl_url_cleanup(u);
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "ddb.wait",
	.summary = "wait until DynamoDB answers (TCP, then ListTables)",
	.section = "dynamodb",
	.run = run,
};
