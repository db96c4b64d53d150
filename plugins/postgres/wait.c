/* plugins/postgres/wait.c — pg.wait: wait until PostgreSQL accepts connections. */
#include <devenv/plugin.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

/* PQping on the URL: the server's own answer, not just an open port. */
static int
probe(void *arg, char *why, size_t n)
{
	const char *const keys[] = { "dbname", "connect_timeout", NULL };
	const char *const vals[] = { arg, "2", NULL };

	switch (PQpingParams(keys, vals, 1)) {
	case PQPING_OK:
		return 0;
	case PQPING_REJECT:
		snprintf(why, n, "the server is starting up or shutting down");
		return 1;
	case PQPING_NO_RESPONSE:
		snprintf(why, n, "no response to the PostgreSQL protocol");
		return 1;
	default:
		devenv_error_set(DEVENV_ECONFIG, "the PostgreSQL URL cannot be used");
		return -1;
	}
}

static int
run(struct devenv_ctx *ctx)
{
	const char *url = devenv_pg_url(ctx);
	char host[256] = "", port[16] = "5432";
	PQconninfoOption *opts;

	if (!url || !*url)
		return devenv_error_set(
		        DEVENV_ECONFIG, "no PostgreSQL URL for environment %s%s", devenv_env(ctx),
		        strcmp(devenv_env(ctx), "prod") == 0 ? " (set prod_url)" : "");
	if (!(opts = PQconninfoParse(url, NULL)))
		return devenv_error_set(DEVENV_ECONFIG,
		                        "[postgres] url is not a valid connection URL");
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		/* Several hosts: wait for the first, as libpq tries it first. */
		if (strcmp(o->keyword, "host") == 0 && o->val)
			snprintf(host, sizeof(host), "%.*s", (int)strcspn(o->val, ","), o->val);
		else if (strcmp(o->keyword, "port") == 0 && o->val && *o->val)
			snprintf(port, sizeof(port), "%.*s", (int)strcspn(o->val, ","), o->val);
	}
	PQconninfoFree(opts);
	if (!host[0])
		snprintf(host, sizeof(host), "localhost");
	devenv_set_detail(ctx, "%s:%s", host, port);
	return devenv_wait(ctx, "PostgreSQL", host[0] == '/' ? NULL : host, port,
	                   devenv_cfg_int(ctx, "postgres", "wait_timeout", 60), probe, (void *)url);
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "pg.wait",
	.summary = "wait until PostgreSQL answers (TCP, then PQping)",
	.section = "postgres",
	.run = run,
};
