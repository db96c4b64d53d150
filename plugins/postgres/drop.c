/* plugins/postgres/drop.c — pg.drop: drop the database, ending its sessions. */
#include <devenv/plugin.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
run(struct devenv_ctx *ctx)
{
	const char *db = devenv_pg_dbname(ctx);
	const char *params[] = { db };
	struct pg_conn *admin;
	char *ident, sql[1024];
	int err;

	if (strcmp(db, "postgres") == 0 || strcmp(db, "template1") == 0 ||
	    strcmp(db, "template0") == 0)
		return devenv_error_set(DEVENV_ECONFIG, "will not drop the system database %s", db);
	if (!(admin = devenv_pg_admin(ctx)))
		return devenv_error_set(DEVENV_EFAIL, "%s", devenv_error_last());
	devenv_set_detail(ctx, "%s", db);
	/* A forgotten psql must not make the drop fail: end every other session
	 * first (WITH (FORCE) does it in one step from PostgreSQL 13 on). */
	if (PQserverVersion(admin) < 130000 &&
	    (err = devenv_pg_exec(ctx, admin,
	                          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	                          "WHERE datname = $1 AND pid <> pg_backend_pid()",
	                          1, params)))
		return err;
	ident = PQescapeIdentifier(admin, db, strlen(db));
	if (!ident)
		return devenv_error_set(DEVENV_EFAIL, "%s", PQerrorMessage(admin));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s%s", ident,
	         PQserverVersion(admin) >= 130000 ? " WITH (FORCE)" : "");
	PQfreemem(ident);
	return devenv_pg_exec(ctx, admin, sql, 0, NULL);
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "pg.drop",
	.summary = "drop the database (other sessions ended first)",
	.after = (const char *[]){ "pg.wait", NULL },
	.flags = DEVENV_PLUGIN_DESTRUCTIVE,
	.section = "postgres",
	.run = run,
};
