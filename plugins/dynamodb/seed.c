/* plugins/dynamodb/seed.c — ddb.seed: check every seed item, then write them
 * all with BatchWriteItem, batched and concurrent. */
#include <devenv/plugin.h>

#include <stdio.h>

static int
run(struct devenv_ctx *ctx)
{
	struct devenv_ddb_writes *items = NULL;
	size_t count, written = 0;
	int64_t t0;
	int err;

	/* Nothing is written unless every item of every file is good. */
	t0 = devenv_clock_ms();
	if ((err = devenv_ddb_seed_files(&items, ctx)))
		return err;
	count = devenv_ddb_writes_count(items);
	devenv_debug(ctx, "%zu items read and checked in %lld ms", count,
	             (long long)(devenv_clock_ms() - t0));
	if (count == 0) {
		devenv_ddb_writes_free(items);
		devenv_set_detail(ctx, "(no seed items)");
		return 0;
	}
	t0 = devenv_clock_ms();
	err = devenv_ddb_write(ctx, items, &written);
	devenv_ddb_writes_free(items);
	{
		int64_t ms = devenv_clock_ms() - t0;

		devenv_set_detail(ctx, "%zu items, %.1f s, %.0f items/s", written,
		                  (double)ms / 1000,
		                  ms > 0 ? (double)written * 1000 / (double)ms : 0.0);
	}
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "ddb.seed",
	.summary = "check, then batch-write the seed items",
	.after = (const char *[]){ "ddb.schema-load", NULL },
	.section = "dynamodb",
	.run = run,
};
