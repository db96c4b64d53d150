/* plugins/postgres/seed.c — pg.seed: load the seed SQL files, each in one transaction. */
#include "sql_files.h"

static int
run(struct devenv_ctx *ctx)
{
	return run_sql_files(ctx, "seed");
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "pg.seed",
	.summary = "load the seed SQL files, each in one transaction",
	.after = (const char *[]){ "pg.schema-load", NULL },
	.section = "postgres",
	.run = run,
};
