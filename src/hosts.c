/* hosts.c: what counts as local, for the guard and for dummy credentials. */
#include "hosts.h"
#include "config.h"
#include "core.h"

#include <curl/curl.h>
#include <string.h>
#include <strings.h>

int
devenv_host_is_local(const struct devenv_config *cfg, const char *host)
{
	static const char *const loopback[] = { "localhost", "127.0.0.1", "::1", "[::1]" };

	if (!host || !*host || host[0] == '/')
		return 1; /* a Unix socket */
	for (size_t i = 0; i < ARRAY_SIZE(loopback); i++)
		if (strcasecmp(host, loopback[i]) == 0)
			return 1;
	if (strncmp(host, "127.", 4) == 0)
		return 1;
	for (const char *const *h = devenv_config_list(cfg, "devenv", "local_hosts"); *h; h++)
		if (strcasecmp(host, *h) == 0)
			return 1;
	return 0;
}

int
devenv_endpoint_is_local(const struct devenv_config *cfg, const char *url)
{
	static const char aws[] = ".amazonaws.com";
	CURLU *u = curl_url();
	char *host = NULL;
	int local = 0;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		size_t n = strlen(host), m = strlen(aws);

		local = devenv_host_is_local(cfg, host) &&
		        !(n >= m && strcasecmp(host + n - m, aws) == 0);
	}
	curl_free(host);
	curl_url_cleanup(u);
	return local;
}
