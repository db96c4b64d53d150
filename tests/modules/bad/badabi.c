/* tests/modules/bad/badabi.c — a module built for another plugin ABI. */
#include <devenv/plugin.h>

static int
run(struct devenv_ctx *ctx)
{
	(void)ctx;
	return 0;
}

DEVENV_API const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI + 1000,
	.name = "bad.abi",
	.run = run,
};
