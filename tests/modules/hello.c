/* tests/modules/hello.c — a third-party plugin module, loaded with dlopen:
 * it proves the descriptor and the context API work from outside. */
#include <devenv/plugin.h>

static int
run(struct devenv_ctx *ctx)
{
	const char *const *seed = devenv_cfg_list(ctx, "postgres", "seed");

	devenv_set_detail(ctx, "%s", seed[0] ? devenv_path_display(ctx, seed[0]) : "-");
	devenv_info(ctx, "hello from a module in %s (env %s)", devenv_root(ctx), devenv_env(ctx));
	devenv_out(ctx, "module-output root=%s\n", devenv_root(ctx));
	return 0;
}

DEVENV_API const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "hello.greet",
	.summary = "say hello from a dlopen'd module",
	.after = (const char *[]){ "pg.wait", NULL },
	.run = run,
};
