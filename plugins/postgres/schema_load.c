/* plugins/postgres/schema_load.c — pg.schema-load: run the schema SQL files. */
#include "sql_files.h"

#include <libpq-fe.h>

/* In a protected environment a schema goes only into an empty database:
 * schema files drop and recreate tables. */
static int
has_tables(struct devenv_ctx *ctx, int *yes)
{
	struct pg_conn *conn = devenv_pg(ctx);
	PGresult *res;

	*yes = 0;
	if (!conn)
		return devenv_error_set(DEVENV_EFAIL, "%s", devenv_error_last());
	res = PQexec(conn,
	             "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	             "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN "
	             "('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
	             "LIMIT 1");
	*yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

static int
run(struct devenv_ctx *ctx)
{
	int err, yes;

	if (devenv_protected(ctx)) {
		if ((err = has_tables(ctx, &yes)))
			return err;
		if (yes) {
			devenv_set_detail(ctx, "skipped: %s is protected and has tables",
			                  devenv_env(ctx));
			return 0;
		}
	}
	return run_sql_files(ctx, "schema");
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "pg.schema-load",
	.summary = "run the schema SQL files, each in one transaction",
	.after = (const char *[]){ "pg.create", NULL },
	.section = "postgres",
	.run = run,
};
