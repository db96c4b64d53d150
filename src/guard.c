/*
 * guard.c: the destructive-plugin guard, applied by the core before any
 * plugin of a run starts. A destructive plugin on a protected environment or
 * a target that is not local needs --allow-destructive and the target's name
 * typed back (DEVENV_CONFIRM=NAME without a tty).
 */
#include "config.h"
#include "core.h"
#include "hosts.h"
#include "pipeline.h"
#include "registry.h"
#include "run.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The PostgreSQL target: the database libpq will connect to, and whether
 * every host it connects to is local. */
static int
pg_target(struct devenv_ctx *ctx, char *name, size_t n, int *local)
{
	/* The name pg.drop will drop: the same rule, the same function. */
	snprintf(name, n, "%s", devenv_pg_dbname(ctx));
	return devenv_pg_url_is_local(local, ctx->run->cfg, devenv_pg_url(ctx));
}

/* The DynamoDB target: the tables the schema names, and whether the
 * endpoint is local. */
static int
ddb_target(struct devenv_ctx *ctx, const char *endpoint, char *name, size_t n, int *local)
{
	json_t *schema = NULL, *t;
	size_t i, len = 0;
	int err;

	*local = devenv_endpoint_is_local(ctx->run->cfg, endpoint);
	name[0] = '\0';
	if ((err = devenv_ddb_schema(&schema, ctx)))
		return err;
	json_array_foreach(schema, i, t) len +=
	        (size_t)snprintf(name + len, len < n ? n - len : 0, "%s%s", len ? " " : "",
	                         json_string_value(json_object_get(t, "TableName")));
	json_decref(schema);
	if (!name[0])
		snprintf(name, n, "dynamodb");
	return 0;
}

/* Asks for 'name' to be typed back: on a tty, at a prompt; else from
 * DEVENV_CONFIRM. */
static int
confirmed(const char *plugin, const char *what, const char *name)
{
	char line[512];
	const char *env = getenv("DEVENV_CONFIRM");

	if (!isatty(STDIN_FILENO))
		return env && strcmp(env, name) == 0;
	fprintf(stderr, "devenv: %s will destroy %s '%s'.\nType '%s' to confirm: ", plugin, what,
	        name, name);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, name) == 0;
}

int
devenv_guard_check(struct devenv_run *run, const char *plugin)
{
	struct devenv_ctx ctx = { .run = run };
	const char *env = devenv_config_env(run->cfg), *what = "the target of";
	int protected_env = devenv_config_protected(run->cfg), local = 1, err = 0;
	char name[512];

	if (strncmp(plugin, "pg.", 3) == 0) {
		what = "database";
		err = pg_target(&ctx, name, sizeof(name), &local);
	} else if (strncmp(plugin, "ddb.", 4) == 0) {
		const char *ep = devenv_ddb_endpoint(&ctx);

		what = "table(s)";
		err = ddb_target(&ctx, ep ? ep : "", name, sizeof(name), &local);
	} else {
		snprintf(name, sizeof(name), "%s", plugin);
	}
	if (err)
		return err;
	if (!protected_env && local)
		return 0;
	if (!run->allow_destructive)
		return devenv_error_set(DEVENV_EREFUSED,
		                        "refusing %s: %s '%s' is %s; pass --allow-destructive and "
		                        "confirm the name to proceed",
		                        plugin, what, name,
		                        protected_env ? "in a protected environment" : "not local");
	if (!confirmed(plugin, what, name))
		return devenv_error_set(
		        DEVENV_EREFUSED,
		        "refusing %s on %s '%s' (environment %s): the name was not "
		        "confirmed (type it, or set DEVENV_CONFIRM=%s without a tty)",
		        plugin, what, name, env, name);
	return 0;
}
