/* Unit tests of src/registry.c: built-ins, modules, exec plugins, clashes. */
#include "check.h"
#include "config.h"
#include "core.h"
#include "registry.h"

#include <stdlib.h>

static const char *modules;

static struct devenv_config *
cfg_of(const char *text)
{
	struct devenv_config *cfg = NULL;

	if (devenv_config_parse(&cfg, text, "devenv.ini", "/repo", NULL) != 0)
		fprintf(stderr, "config: %s\n", devenv_error_last());
	return cfg;
}

static void
test_builtins(void)
{
	struct devenv_registry *reg;
	const struct devenv_reg_entry *e;

	unsetenv("DEVENV_PLUGIN_PATH");
	CHECK_INT(devenv_registry_build(&reg, NULL), 0);
	e = devenv_registry_find(reg, "pg.wait");
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(e->origin, DEVENV_BUILTIN);
		/* No [postgres]: known, but not available. */
		CHECK(!e->available);
	}
	CHECK(devenv_registry_find(reg, "ddb.wait") != NULL);
	CHECK(devenv_registry_find(reg, "nope") == NULL);
	devenv_registry_free(reg);
}

static void
test_modules_and_exec(void)
{
	struct devenv_config *cfg;
	struct devenv_registry *reg = NULL;
	const struct devenv_reg_entry *e;
	char *text = xasprintf(
	        "[devenv]\nplugin_path = %s/danger.so\n[postgres]\nurl = postgresql://h/x\n"
	        "[plugin.hook]\nrun = echo hi\nafter = pg.wait hello.greet\n",
	        modules);
	char *env = xasprintf("%s/hello.so", modules);

	setenv("DEVENV_PLUGIN_PATH", env, 1);
	cfg = cfg_of(text);
	CHECK(cfg != NULL);
	CHECK_INT(devenv_registry_build(&reg, cfg), 0);
	if (reg) {
		e = devenv_registry_find(reg, "hello.greet");
		CHECK(e && e->origin == DEVENV_MODULE && e->available);
		e = devenv_registry_find(reg, "test.danger");
		CHECK(e && e->origin == DEVENV_MODULE);
		CHECK(e && (e->p->flags & DEVENV_PLUGIN_DESTRUCTIVE));
		e = devenv_registry_find(reg, "hook");
		CHECK(e && e->origin == DEVENV_EXEC);
		if (e) {
			CHECK_STR(e->source, "echo hi");
			CHECK_STR(e->p->after[0], "pg.wait");
			CHECK_STR(e->p->after[1], "hello.greet");
			CHECK(e->p->after[2] == NULL);
			CHECK_STR(e->p->summary, "runs: echo hi");
		}
		CHECK(devenv_registry_find(reg, "pg.wait")->available);
	}
	devenv_registry_free(reg);
	devenv_config_free(cfg);
	/* A folder loads every module in it. */
	setenv("DEVENV_PLUGIN_PATH", modules, 1);
	CHECK_INT(devenv_registry_build(&reg, NULL), 0);
	if (reg) {
		CHECK(devenv_registry_find(reg, "hello.greet") != NULL);
		CHECK(devenv_registry_find(reg, "test.danger") != NULL);
	}
	devenv_registry_free(reg);
	unsetenv("DEVENV_PLUGIN_PATH");
	free(text);
	free(env);
}

static void
test_errors(void)
{
	struct devenv_registry *reg = NULL;
	struct devenv_config *cfg;
	char *bad = xasprintf("%s/bad/badabi.so", modules);
	char *twice = xasprintf("%s/hello.so:%s/hello.so", modules, modules);

	setenv("DEVENV_PLUGIN_PATH", bad, 1);
	CHECK_INT(devenv_registry_build(&reg, NULL), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "was built for plugin ABI");
	setenv("DEVENV_PLUGIN_PATH", "/nonexistent/devenv-plugins", 1);
	CHECK_INT(devenv_registry_build(&reg, NULL), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "plugin path /nonexistent/devenv-plugins does not exist");
	setenv("DEVENV_PLUGIN_PATH", twice, 1);
	CHECK_INT(devenv_registry_build(&reg, NULL), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "the name is taken by the module plugin");
	unsetenv("DEVENV_PLUGIN_PATH");
	/* An exec plugin may not take a built-in's name. */
	cfg = cfg_of("[plugin.pg.wait]\nrun = true\n");
	CHECK(cfg != NULL);
	CHECK_INT(devenv_registry_build(&reg, cfg), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "devenv.ini:2: [plugin.pg.wait]: the name pg.wait is taken");
	devenv_config_free(cfg);
	free(bad);
	free(twice);
}

int
main(void)
{
	modules = getenv("DEVENV_TEST_MODULES");
	if (!modules) {
		fprintf(stderr, "DEVENV_TEST_MODULES is not set\n");
		return 1;
	}
	RUN(test_builtins);
	RUN(test_modules_and_exec);
	RUN(test_errors);
	return check_done();
}
