/* hosts.h: whether a PostgreSQL host or a DynamoDB endpoint is local. */
#ifndef DEVENV_HOSTS_H
#define DEVENV_HOSTS_H

struct devenv_config;

/* localhost, 127.0.0.0/8 or ::1 (by address, brackets allowed). */
int devenv_host_is_loopback(const char *host);

/* Loopback, a Unix socket, or a host listed in [devenv] local_hosts. */
int devenv_host_is_local(const struct devenv_config *cfg, const char *host);

/* An endpoint URL on a local host, and not on *.amazonaws.com. */
int devenv_endpoint_is_local(const struct devenv_config *cfg, const char *url);

/* Whether every host a PostgreSQL URL connects to is local: each of its
 * hosts and hostaddrs (which libpq connects to instead); a URL naming none
 * takes PGHOST/PGHOSTADDR, as libpq does, and one that names only a service
 * (service=, PGSERVICE) is not local. Returns 0, or DEVENV_ECONFIG when the
 * URL cannot be parsed. */
int devenv_pg_url_is_local(int *local, const struct devenv_config *cfg, const char *url);

#endif
