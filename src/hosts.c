/* hosts.c: what counts as local, for the guard, for dummy credentials and
 * for status (exact counts only where reading whole tables costs nothing). */
#include "hosts.h"
#include "config.h"
#include "core.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int
devenv_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char bare[64];
	size_t n;

	if (!host || !*host)
		return 0;
	if (strcasecmp(host, "localhost") == 0)
		return 1;
	/* Loopback by address, not by a name that merely starts "127.". */
	n = strlen(host);
	if (host[0] == '[' && n > 2 && n < sizeof(bare) && host[n - 1] == ']')
		snprintf(bare, sizeof(bare), "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(bare, sizeof(bare), "%s", host);
	if (inet_pton(AF_INET, bare, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, bare, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

int
devenv_host_is_local(const struct devenv_config *cfg, const char *host)
{
	if (!host || !*host || host[0] == '/')
		return 1; /* a Unix socket */
	if (devenv_host_is_loopback(host))
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

/* Whether every entry of a comma-separated host list is local. */
static int
all_local(const struct devenv_config *cfg, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;
	int local = 1;

	for (char *h = strtok_r(copy, ",", &save); h; h = strtok_r(NULL, ",", &save))
		local &= devenv_host_is_local(cfg, h);
	free(copy);
	return local;
}

int
devenv_pg_url_is_local(int *local, const struct devenv_config *cfg, const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url ? url : "", NULL);
	const char *host = NULL, *hostaddr = NULL, *service = NULL;

	*local = 0;
	if (!opts)
		return devenv_error_set(DEVENV_ECONFIG, "[postgres] url cannot be parsed");
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (strcmp(o->keyword, "host") == 0 && o->val && *o->val)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0 && o->val && *o->val)
			hostaddr = o->val;
		else if (strcmp(o->keyword, "service") == 0 && o->val && *o->val)
			service = o->val;
	}
	if (!service)
		service = getenv("PGSERVICE");
	if (!host)
		host = getenv("PGHOST");
	if (!hostaddr)
		hostaddr = getenv("PGHOSTADDR");
	/* A service names its hosts in a file libpq reads at connection time:
	 * unless the URL names them itself, it is not known to be local. */
	*local = (!host || !*host || all_local(cfg, host)) &&
	         (!hostaddr || !*hostaddr || all_local(cfg, hostaddr)) &&
	         (!service || !*service || (host && *host) || (hostaddr && *hostaddr));
	PQconninfoFree(opts);
	return 0;
}
