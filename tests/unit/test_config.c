/* Unit tests of src/config.c: keys, types, expansion, lines, profiles. */
#include "check.h"
#include "config.h"
#include "core.h"

#include <stdlib.h>

static struct devenv_config *
parse(const char *text, const char *env, int *err)
{
	struct devenv_config *cfg = NULL;

	devenv_error_clear();
	*err = devenv_config_parse(&cfg, text, "devenv.ini", "/repo", env);
	return cfg;
}

static void
test_expand(void)
{
	char *out;

	setenv("DEVENV_T_SET", "value", 1);
	setenv("DEVENV_T_EMPTY", "", 1);
	unsetenv("DEVENV_T_UNSET");
	CHECK_INT(devenv_config_expand(&out, "a ${DEVENV_T_SET} b", "f", 1), 0);
	CHECK_STR(out, "a value b");
	free(out);
	CHECK_INT(devenv_config_expand(&out, "${DEVENV_T_UNSET:-dflt}", "f", 1), 0);
	CHECK_STR(out, "dflt");
	free(out);
	/* :- applies to an empty variable too, as in the shell. */
	CHECK_INT(devenv_config_expand(&out, "${DEVENV_T_EMPTY:-dflt}", "f", 1), 0);
	CHECK_STR(out, "dflt");
	free(out);
	CHECK_INT(devenv_config_expand(&out, "${DEVENV_T_SET:-dflt}", "f", 1), 0);
	CHECK_STR(out, "value");
	free(out);
	/* A default may itself expand. */
	CHECK_INT(devenv_config_expand(&out, "x${DEVENV_T_UNSET:-${DEVENV_T_SET}/y}z", "f", 1), 0);
	CHECK_STR(out, "xvalue/yz");
	free(out);
	CHECK_INT(devenv_config_expand(&out, "${DEVENV_T_UNSET}", "f", 1), 0);
	CHECK_STR(out, "");
	free(out);
	CHECK_INT(devenv_config_expand(&out, "cost $5 and $HOME", "f", 1), 0);
	CHECK_STR(out, "cost $5 and $HOME");
	free(out);
	CHECK_INT(devenv_config_expand(&out, "${DEVENV_T_SET", "f", 3), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "f:3: unterminated ${");
	CHECK_INT(devenv_config_expand(&out, "${1BAD}", "f", 4), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "bad variable name '1BAD'");
	CHECK_INT(devenv_config_expand(&out, "${X:=y}", "f", 5), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "unsupported expansion");
}

static void
test_example(void)
{
	int err;
	struct devenv_config *cfg;
	const char *const *seed;

	setenv("DEVENV_T_URL", "postgresql://u:pw@db:5432/app", 1);
	cfg = parse("; comment\n"
	            "[devenv]\nstate_dir = .state\n\n"
	            "[postgres]\nurl = ${DEVENV_T_URL}\n"
	            "schema = db/schema.sql\nseed = db/a.sql /abs/b.sql ; inline comment\n"
	            "\n[dynamodb]\nendpoint = http://localhost:8000\n",
	            NULL, &err);
	CHECK_INT(err, 0);
	if (!cfg)
		return;
	CHECK_STR(devenv_config_get(cfg, "postgres", "url"), "postgresql://u:pw@db:5432/app");
	CHECK_STR(devenv_config_get(cfg, "devenv", "state_dir"), "/repo/.state");
	seed = devenv_config_list(cfg, "postgres", "seed");
	CHECK_STR(seed[0], "/repo/db/a.sql");
	CHECK_STR(seed[1], "/abs/b.sql");
	CHECK(seed[2] == NULL);
	CHECK_STR(devenv_config_list(cfg, "postgres", "schema")[0], "/repo/db/schema.sql");
	/* Defaults of present sections, and of [devenv] always. */
	CHECK_STR(devenv_config_get(cfg, "postgres", "wait_timeout"), "60");
	CHECK_STR(devenv_config_get(cfg, "dynamodb", "concurrency"), "8");
	CHECK_STR(devenv_config_get(cfg, "devenv", "lock_timeout"), "60");
	CHECK(devenv_config_get(cfg, "conversation", "table") == NULL);
	CHECK_INT(devenv_config_line(cfg, "postgres", "url"), 6);
	CHECK(devenv_config_has(cfg, "dynamodb"));
	CHECK(!devenv_config_has(cfg, "conversation"));
	CHECK(devenv_config_list(cfg, "dynamodb", "seed")[0] == NULL);
	CHECK_STR(devenv_config_env(cfg), "dev");
	CHECK(!devenv_config_protected(cfg));
	devenv_config_free(cfg);
}

static void
test_errors(void)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "[postgres]\nurl = postgresql://h/x\n[bogus]\nk = v\n",
		  "devenv.ini:3: unknown section [bogus]" },
		{ "[postgres]\nurl = postgresql://h/x\nuri = y\n",
		  "devenv.ini:3: unknown key 'uri' in [postgres]" },
		{ "[postgres]\nwait_timeout = soon\n",
		  "devenv.ini:2: wait_timeout: 'soon' is not a whole number" },
		{ "[postgres]\nwait_timeout = -1\n",
		  "devenv.ini:2: wait_timeout: '-1' is not a whole number" },
		{ "[dynamodb]\nstart = sometimes\n",
		  "devenv.ini:2: start: 'sometimes' is not one of: auto never" },
		{ "[env.prod]\nprotected = maybe\n",
		  "devenv.ini:2: protected: 'maybe' is not true or false" },
		{ "[postgres]\nurl = postgresql://h/a\nurl = postgresql://h/b\n",
		  "devenv.ini:3: url: set twice (first on line 2)" },
		{ "url = postgresql://h/a\n", "devenv.ini:1: 'url' is outside any [section]" },
		{ "[postgres]\nthis line is broken\n", "devenv.ini:2: syntax error" },
		{ "[postgres\nurl = postgresql://h/a\n", "devenv.ini:1: syntax error" },
		{ "[postgres]\nurl = ${NOPE\n", "devenv.ini:2: unterminated ${" },
		{ "[plugin.x]\nafter = a\n", "devenv.ini:1: [plugin.x] has no 'run' command" },
		{ "[plugin.]\nrun = a\n", "unknown section [plugin.]" },
		{ "[plugin.a b]\nrun = a\n", "devenv.ini:1: bad section name [plugin.a b]" },
		{ "[postgres]\nurl = postgresql://h/a\n[dynamodb]\n[postgres]\nschema = s\n",
		  "devenv.ini:4: section [postgres] appears twice (first on line 1)" },
		{ "[env.prod]\nplugin.x.run = y\n", "devenv.ini:2: unknown key 'plugin.x.run'" },
		{ "[env.prod]\npostgres.nope = y\n", "devenv.ini:2: unknown key 'postgres.nope'" },
		{ "[postgres]\nschema = a.sql\n  seed = b.sql\n", "devenv.ini:3: indented line" },
		{ "[postgres]\nurl = postgresql://h:fivefour/db\n",
		  "devenv.ini:2: url: not a PostgreSQL URL" },
		{ "[dynamodb]\nendpoint = not a url\n",
		  "devenv.ini:2: endpoint: 'not a url' is not an http" },
		{ "[devenv]\nstate_dir =\n", "devenv.ini:2: state_dir: empty" },
		{ "[plugin.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\nrun = x\n",
		  "devenv.ini:1: section name longer than 49 characters" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int err;
		struct devenv_config *cfg = parse(cases[i].text, NULL, &err);

		CHECK_INT(err, DEVENV_ECONFIG);
		CHECK(cfg == NULL);
		CHECK_HAS(devenv_error_last(), cases[i].msg);
	}
}

static void
test_long_line(void)
{
	char text[600];
	int err;

	snprintf(text, sizeof(text), "[postgres]\nurl = %0400d\n", 7);
	CHECK(parse(text, NULL, &err) == NULL);
	CHECK_INT(err, DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "devenv.ini:2: line longer than");
}

static void
test_nul_byte(void)
{
	static const char text[] = "[postgres]\nurl = a\0b\nseed = x\n";
	struct devenv_config *cfg = NULL;

	/* Nothing after a NUL may vanish silently. */
	CHECK_INT(
	        devenv_config_parse_len(&cfg, text, sizeof(text) - 1, "devenv.ini", "/repo", NULL),
	        DEVENV_ECONFIG);
	CHECK(cfg == NULL);
	CHECK_HAS(devenv_error_last(), "devenv.ini:2: NUL byte");
}

static void
test_lists_and_continuation(void)
{
	int err;
	struct devenv_config *cfg =
	        parse("[postgres]\nurl = postgresql://h/u\nseed = a.sql\n  b.sql\nseed = c.sql\n",
	              NULL, &err);
	const char *const *l;

	CHECK_INT(err, 0);
	if (!cfg)
		return;
	l = devenv_config_list(cfg, "postgres", "seed");
	CHECK_STR(l[0], "/repo/a.sql");
	CHECK_STR(l[1], "/repo/b.sql");
	CHECK_STR(l[2], "/repo/c.sql");
	CHECK(l[3] == NULL);
	devenv_config_free(cfg);
}

static void
test_profiles(void)
{
	static const char text[] =
	        "[postgres]\nurl = postgresql://local/db\nprod_url = postgresql://remote/db\n"
	        "[env.staging]\npostgres.url = postgresql://staging/db\n"
	        "protected = true\n[env.prod]\n[plugin.hook]\nrun = true\n";
	struct devenv_config *cfg;
	const char **secs;
	int err;

	cfg = parse(text, "staging", &err);
	CHECK_INT(err, 0);
	if (cfg) {
		CHECK_STR(devenv_config_get(cfg, "postgres", "url"), "postgresql://staging/db");
		CHECK(devenv_config_protected(cfg));
		secs = devenv_config_sections(cfg, "plugin.");
		CHECK_STR(secs[0], "hook");
		CHECK(secs[1] == NULL);
		free(secs);
		devenv_config_free(cfg);
	}
	cfg = parse(text, "dev", &err);
	CHECK_INT(err, 0);
	if (cfg) {
		CHECK_STR(devenv_config_get(cfg, "postgres", "url"), "postgresql://local/db");
		CHECK(!devenv_config_protected(cfg));
		devenv_config_free(cfg);
	}
	/* prod is protected unless it says otherwise. */
	cfg = parse(text, "prod", &err);
	CHECK_INT(err, 0);
	if (cfg) {
		CHECK(devenv_config_protected(cfg));
		devenv_config_free(cfg);
	}
	cfg = parse("[env.prod]\nprotected = false\n", "prod", &err);
	CHECK_INT(err, 0);
	if (cfg) {
		CHECK(!devenv_config_protected(cfg));
		devenv_config_free(cfg);
	}
	CHECK(parse(text, "qa", &err) == NULL);
	CHECK_INT(err, DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "no [env.qa] section");
	CHECK(parse(text, "bad/name", &err) == NULL);
	CHECK_INT(err, DEVENV_EUSAGE);
}

int
main(void)
{
	RUN(test_expand);
	RUN(test_example);
	RUN(test_errors);
	RUN(test_long_line);
	RUN(test_nul_byte);
	RUN(test_lists_and_continuation);
	RUN(test_profiles);
	return check_done();
}
