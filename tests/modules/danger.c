/* tests/modules/danger.c — a destructive module plugin, for the guard's tests:
 * it leaves a marker file so a test can tell whether it ran. */
#include <devenv/plugin.h>

#include <stdio.h>

static int
run(struct devenv_ctx *ctx)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/danger-ran", devenv_state_dir(ctx));
	if (!(f = fopen(path, "w")))
		return devenv_error_set(DEVENV_EFAIL, "cannot write %s", path);
	fclose(f);
	return 0;
}

DEVENV_API const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "test.danger",
	.summary = "a destructive test plugin",
	.flags = DEVENV_PLUGIN_DESTRUCTIVE,
	.run = run,
};
