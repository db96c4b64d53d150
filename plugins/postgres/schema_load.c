/* plugins/postgres/schema_load.c — pg.schema-load: run the schema SQL files. */
#include "sql_files.h"

static int
run(struct devenv_ctx *ctx)
{
	int err, yes;

	/* In a protected environment a schema goes only into an empty database:
	 * schema files drop and recreate tables. */
	if (devenv_protected(ctx)) {
		if ((err = devenv_pg_has_tables(&yes, ctx)))
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
