/* plugins/postgres/create.c — pg.create: create the database unless it exists. */
#include <devenv/plugin.h>

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

static int
run(struct devenv_ctx *ctx)
{
	struct pg_conn *admin = devenv_pg_admin(ctx);
	const char *db = devenv_pg_dbname(ctx);
	const char *params[] = { db };
	PGresult *res;
	char *ident, *sql;
	int err, exists;

	if (!admin)
		return devenv_error_set(DEVENV_EFAIL, "%s", devenv_error_last());
	res = PQexecParams(admin, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, params,
	                   NULL, NULL, 0);
	exists = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
	PQclear(res);
	devenv_set_detail(ctx, "%s%s", db, exists ? " (exists)" : "");
	if (exists)
		return 0;
	ident = PQescapeIdentifier(admin, db, strlen(db));
	if (!ident)
		return devenv_error_set(DEVENV_ECONFIG, "the database name cannot be used: %s",
		                        PQerrorMessage(admin));
	sql = malloc(strlen(ident) + 32);
	if (!sql) {
		PQfreemem(ident);
		return devenv_error_set(DEVENV_EFAIL, "out of memory");
	}
	strcpy(sql, "CREATE DATABASE ");
	strcat(sql, ident);
	err = devenv_pg_exec(ctx, admin, sql, 0, NULL);
	PQfreemem(ident);
	free(sql);
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "pg.create",
	.summary = "create the database unless it exists",
	.after = (const char *[]){ "pg.wait", NULL },
	.section = "postgres",
	.run = run,
};
