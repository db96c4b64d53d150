/*
 * fuzz_config.c: devenv.ini text through devenv_config_parse (inih, the key
 * table, ${VAR} expansion, [env.NAME] overrides), every getter on what it
 * accepts, and devenv_config_expand on the raw text.
 */
#include "config.h"
#include "core.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every key of config.c's table, read back after a successful parse. */
static const char *const keys[][2] = {
	{ "devenv", "state_dir" },
	{ "devenv", "lock_timeout" },
	{ "devenv", "plugin_path" },
	{ "devenv", "local_hosts" },
	{ "postgres", "url" },
	{ "postgres", "prod_url" },
	{ "postgres", "schema" },
	{ "postgres", "seed" },
	{ "postgres", "wait_timeout" },
	{ "postgres", "start" },
	{ "dynamodb", "endpoint" },
	{ "dynamodb", "region" },
	{ "dynamodb", "schema" },
	{ "dynamodb", "seed" },
	{ "dynamodb", "concurrency" },
	{ "dynamodb", "wait_timeout" },
	{ "dynamodb", "start" },
	{ "conversation", "file" },
	{ "conversation", "table" },
	{ "conversation", "my_handle" },
	{ "conversation", "other_handle" },
};

static const char *const sections[] = { "devenv", "postgres", "dynamodb", "conversation" };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Variables the seeds name: set, empty, and one that looks like an
	 * expansion itself (values are not expanded again). */
	setenv("CONNECTION_URL", "postgresql://postgres:password@localhost:5432/cruddur", 1);
	setenv("AWS_DEFAULT_REGION", "ca-central-1", 1);
	setenv("DEVENV_FUZZ_EMPTY", "", 1);
	setenv("DEVENV_FUZZ_DOLLAR", "${DEVENV_FUZZ_EMPTY:-x}", 1);
	unsetenv("PROD_CONNECTION_URL");
	unsetenv("AWS_ENDPOINT_URL");
	return 0;
}

static size_t
count(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

/* Reads everything back; a getter that crashes or lies is a bug. */
static void
walk(const struct devenv_config *cfg)
{
	const char **names, **files;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = devenv_config_get(cfg, keys[i][0], keys[i][1]);
		const char *const *list = devenv_config_list(cfg, keys[i][0], keys[i][1]);
		int line = devenv_config_line(cfg, keys[i][0], keys[i][1]);

		CHECK(line >= 0 && (v || line == 0));
		if (v)
			(void)strlen(v);
		for (size_t k = 0; list[k]; k++)
			CHECK(*list[k]); /* a word is never empty */
	}
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		files = devenv_config_section_files(cfg, sections[i]);
		(void)count(files);
		free(files);
		(void)devenv_config_has(cfg, sections[i]);
	}
	names = devenv_config_sections(cfg, "plugin.");
	for (size_t i = 0; names[i]; i++) {
		char sec[300];

		snprintf(sec, sizeof(sec), "plugin.%s", names[i]);
		/* parse promises every [plugin.X] has run */
		CHECK(devenv_config_has(cfg, sec) && devenv_config_get(cfg, sec, "run"));
		(void)count(devenv_config_list(cfg, sec, "after"));
		(void)devenv_config_get(cfg, sec, "summary");
	}
	free(names);
	(void)devenv_config_protected(cfg);
	(void)strlen(devenv_config_path(cfg));
	(void)strlen(devenv_config_display(cfg));
	(void)strlen(devenv_config_env(cfg));
}

static void
parse_as(const char *text, const char *env)
{
	struct devenv_config *cfg = NULL;

	devenv_error_clear();
	if (devenv_config_parse(&cfg, text, "devenv.ini", "/repo", env) == 0) {
		CHECK(cfg);
		walk(cfg);
		devenv_config_free(cfg);
	} else {
		CHECK(!cfg && *devenv_error_last()); /* a failure leaves nothing and says why */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *out = NULL;
	struct devenv_config *cfg = NULL;

	memcpy(text, data, size);
	text[size] = '\0';

	devenv_error_clear();
	if (devenv_config_parse(&cfg, text, "devenv.ini", "/repo", NULL) == 0) {
		const char **envs = devenv_config_sections(cfg, "env.");

		walk(cfg);
		/* The same text under each environment it declares, and prod. */
		parse_as(text, "prod");
		for (size_t i = 0; envs[i] && i < 4; i++)
			if (strcmp(envs[i], "prod") != 0)
				parse_as(text, envs[i]);
		free(envs);
		devenv_config_free(cfg);
	} else {
		CHECK(!cfg);
	}

	devenv_error_clear();
	if (devenv_config_expand(&out, text, "devenv.ini", 1) == 0) {
		CHECK(out);
		free(out);
	} else {
		CHECK(!out);
	}
	free(text);
	return 0;
}
