/*
 * cli.c: global options, the one command table, and the preconditions
 * (repository, config, state, lock, registry) each command declares and the
 * dispatcher checks once.
 */
#include "cli.h"
#include "config.h"
#include "core.h"
#include "pg.h"
#include "pipeline.h"
#include "registry.h"
#include "repo.h"
#include "run.h"
#include "state.h"
#include "services.h"
#include "status.h"
#include "up.h"
#include "watch.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>

#ifndef DEVENV_VERSION
#define DEVENV_VERSION "0"
#endif

enum {
	NEED_CONFIG = 1 << 0,   /* the repository and its devenv.ini */
	NEED_STATE = 1 << 1,    /* the state dir */
	NEED_LOCK = 1 << 2,     /* the repository lock, for the whole command */
	NEED_REGISTRY = 1 << 3, /* every plugin */
};

struct app {
	const char *dir;    /* -C */
	const char *config; /* -c */
	const char *env;    /* -e */
	int quiet, verbose, json, no_color, allow_destructive;
	char *root;
	char *config_path;
	struct devenv_config *cfg;
	struct devenv_state *state;
	struct devenv_registry *reg;
	struct devenv_run run;
};

struct cmd {
	const char *name;
	int (*fn)(struct app *app, int argc, char **argv);
	unsigned need;
	const char *usage;
	const char *summary;
};

static const struct cmd *find_cmd(const char *name);
static void usage(FILE *f);

/* --- helpers shared by the commands ------------------------------------ */

/* Runs the plugins 'names' (and what they run after) as one pipeline. */
static int
run_plugins(struct app *app, const char *const *names, size_t n,
            void (*order)(struct devenv_pipeline *pl))
{
	struct devenv_pipeline *pl = devenv_pipeline_new(&app->run);
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = devenv_pipeline_add(pl, names[i]);
	if (!err && order)
		order(pl);
	if (!err)
		err = devenv_pipeline_run(pl);
	devenv_pipeline_free(pl);
	return err;
}

/* The plugin family prefix of a database argument ("pg" -> "pg."). */
static int
family_arg(const char *arg)
{
	return strcmp(arg, "pg") == 0 || strcmp(arg, "ddb") == 0;
}

/* The section a family needs. */
static const char *
family_section(const char *family)
{
	return strcmp(family, "pg") == 0 ? "postgres" : "dynamodb";
}

/* Collects the families named in argv (default: every configured one). */
static int
families(struct app *app, int argc, char **argv, const char **out, size_t *n)
{
	static const char *const all[] = { "pg", "ddb" };

	*n = 0;
	for (int i = 0; i < argc; i++) {
		if (!family_arg(argv[i]))
			return devenv_error_set(DEVENV_EUSAGE,
			                        "'%s' is not a database: use pg or ddb", argv[i]);
		if (!devenv_config_has(app->cfg, family_section(argv[i])))
			return devenv_error_set(DEVENV_EUSAGE, "%s: devenv.ini has no [%s] section",
			                        argv[i], family_section(argv[i]));
		out[(*n)++] = argv[i];
	}
	if (*n == 0)
		for (size_t i = 0; i < ARRAY_SIZE(all); i++)
			if (devenv_config_has(app->cfg, family_section(all[i])))
				out[(*n)++] = all[i];
	if (*n == 0)
		return devenv_error_set(
		        DEVENV_ECONFIG,
		        "devenv.ini configures no database ([postgres] or [dynamodb])");
	return 0;
}

/* --- commands ----------------------------------------------------------- */

static int
cmd_plugins(struct app *app, int argc, char **argv)
{
	json_t *arr = json_array();

	(void)argv;
	if (argc > 0)
		return devenv_error_set(DEVENV_EUSAGE, "plugins takes no arguments");
	for (size_t i = 0; i < app->reg->n; i++) {
		const struct devenv_reg_entry *e = &app->reg->v[i];
		char deps[256] = "";
		size_t len = 0;
		json_t *after;

		if (!e->available && !app->verbose)
			continue;
		after = json_array();
		for (const char *const *a = e->p->after; a && *a; a++) {
			json_array_append_new(after, json_string(*a));
			len += (size_t)snprintf(deps + len,
			                        len < sizeof(deps) ? sizeof(deps) - len : 0, "%s%s",
			                        len ? "," : "", *a);
		}
		if (app->json) {
			json_array_append_new(
			        arr, json_pack("{s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:s?}", "name",
			                       e->p->name, "origin", devenv_origin_name(e->origin),
			                       "summary", e->p->summary ? e->p->summary : "",
			                       "after", after, "destructive",
			                       !!(e->p->flags & DEVENV_PLUGIN_DESTRUCTIVE),
			                       "command", !!(e->p->flags & DEVENV_PLUGIN_COMMAND),
			                       "available", e->available, "source", e->source));
			continue;
		}
		json_decref(after);
		devenv_printf("%-22s %-8s %-40s %s%s%s\n", e->p->name,
		              devenv_origin_name(e->origin), e->p->summary ? e->p->summary : "",
		              *deps ? "after " : "", deps,
		              e->available ? "" : "  (not configured)");
	}
	if (app->json) {
		char *s = json_dumps(arr, JSON_INDENT(2));

		devenv_printf("%s\n", s);
		free(s);
	}
	json_decref(arr);
	return 0;
}

static int
cmd_run(struct app *app, int argc, char **argv)
{
	if (argc == 0)
		return devenv_error_set(DEVENV_EUSAGE, "run needs at least one plugin name");
	return run_plugins(app, (const char *const *)argv, (size_t)argc, NULL);
}

/* One run of up under the repository lock, held only while it runs. */
static int
up_once(struct app *app)
{
	const char *t = devenv_config_get(app->cfg, "devenv", "lock_timeout");
	int err;

	if ((err = devenv_state_lock(app->state, t ? atoi(t) : 60)))
		return err;
	err = devenv_up(&app->run);
	devenv_state_unlock(app->state);
	return err;
}

static int
watch_run(void *arg)
{
	struct app *app = arg;
	int err = up_once(app);

	if (err && err != DEVENV_ECANCELLED)
		devenv_error_print();
	devenv_error_clear();
	return err;
}

static int
watch_reload(void *arg)
{
	struct app *app = arg;
	struct devenv_config *cfg = NULL;
	struct devenv_registry *reg = NULL;
	int err;

	if ((err = devenv_config_load(&cfg, app->config_path,
	                              app->config ? app->config : "devenv.ini", app->root,
	                              app->env)))
		return err;
	if ((err = devenv_registry_build(&reg, cfg))) {
		devenv_config_free(cfg);
		return err;
	}
	devenv_registry_free(app->reg);
	devenv_config_free(app->cfg);
	app->cfg = cfg;
	app->run.cfg = cfg;
	app->reg = reg;
	app->run.reg = reg;
	return 0;
}

static char **
watch_inputs(void *arg, char **config)
{
	static const char *const sections[] = { "postgres", "dynamodb", "conversation" };
	struct app *app = arg;
	char **v = xcalloc(2, sizeof(*v));
	size_t n = 0;

	v[n++] = xstrdup(app->config_path);
	*config = xstrdup(app->config_path);
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		const char **files = devenv_config_section_files(app->cfg, sections[i]);

		for (const char **f = files; *f; f++) {
			v = xrealloc(v, (n + 2) * sizeof(*v));
			v[n++] = xstrdup(*f);
		}
		free(files);
	}
	v[n] = NULL;
	return v;
}

static size_t
watch_service_pids(void *arg, long *pids, size_t max)
{
	struct app *app = arg;
	size_t n = 0;
	long pid;

	if (n < max && (pid = devenv_services_pid(&app->run, "pg")))
		pids[n++] = pid;
	if (n < max && (pid = devenv_services_pid(&app->run, "ddb")))
		pids[n++] = pid;
	return n;
}

/* The watcher's pid file, locked for its life so a second watcher sees it. */
static int
claim_watcher(struct app *app, int *fd_out)
{
	char *path = xasprintf("%s/devenv.pid", devenv_state_path(app->state)), pid[32];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), n;

	free(path);
	if (fd < 0)
		return devenv_error_set(DEVENV_EFAIL, "cannot write the pid file: %s",
		                        strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return devenv_error_set(DEVENV_ELOCKED, "a watcher is already running (pid %ld)",
		                        devenv_watcher_pid(app->state));
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		close(fd);
		return devenv_error_set(DEVENV_EFAIL, "cannot write the pid file");
	}
	*fd_out = fd;
	return 0;
}

static int
watch(struct app *app)
{
	static const struct devenv_watch_ops ops = {
		.run = watch_run,
		.reload = watch_reload,
		.inputs = watch_inputs,
		.service_pids = watch_service_pids,
	};
	char *path;
	int fd = -1, err;

	if ((err = claim_watcher(app, &fd)))
		return err;
	watch_run(app);
	err = devenv_watch_loop(&ops, app);
	path = xasprintf("%s/devenv.pid", devenv_state_path(app->state));
	unlink(path);
	free(path);
	close(fd);
	return err;
}

/* up --daemon: up in the foreground, then a watcher left running, detached
 * (its own session, no terminal, its output in the state dir's log). */
static int
daemonize(struct app *app)
{
	long running = devenv_watcher_pid(app->state);
	char self[PATH_MAX], *log;
	ssize_t n;
	pid_t pid;
	int err = up_once(app);

	if (running) {
		devenv_logf(NULL, DEVENV_LOG_INFO, "a watcher is already running (pid %ld)",
		            running);
		return err;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return err ? err
		           : devenv_error_set(DEVENV_EFAIL, "cannot find devenv's own program");
	self[n] = '\0';
	log = xasprintf("%s/devenv.log", devenv_state_path(app->state));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[12];
		int k = 0, fd;

		/* Twice: the watcher is no session leader and can never get a
		 * terminal back; the first child exits at once. */
		setsid();
		if (fork() != 0)
			_exit(0);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		if (chdir(app->root) < 0)
			_exit(1);
		argv[k++] = self;
		argv[k++] = "-C";
		argv[k++] = app->root;
		if (app->config) {
			argv[k++] = "-c";
			argv[k++] = app->config_path;
		}
		if (app->env) {
			argv[k++] = "-e";
			argv[k++] = (char *)app->env;
		}
		argv[k++] = "up";
		argv[k++] = "--watch";
		argv[k] = NULL;
		execv(self, argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	/* Say where it went once it has claimed its pid file. */
	for (int i = 0; i < 100 && !devenv_watcher_pid(app->state); i++)
		devenv_sleep_ms(10);
	if (devenv_watcher_pid(app->state))
		devenv_logf(NULL, DEVENV_LOG_INFO, "watcher running (pid %ld), log in %s",
		            devenv_watcher_pid(app->state), log);
	else
		devenv_logf(NULL, DEVENV_LOG_WARN, "the watcher did not start: see %s", log);
	free(log);
	return err;
}

static int
cmd_up(struct app *app, int argc, char **argv)
{
	int watch_mode = 0, daemon_mode = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--watch") == 0)
			watch_mode = 1;
		else if (strcmp(argv[i], "--daemon") == 0)
			daemon_mode = 1;
		else
			return devenv_error_set(DEVENV_EUSAGE, "up: unknown argument '%s'",
			                        argv[i]);
	}
	if (watch_mode && daemon_mode)
		return devenv_error_set(DEVENV_EUSAGE, "up: --watch or --daemon, not both");
	if (watch_mode)
		return watch(app);
	if (daemon_mode)
		return daemonize(app);
	return up_once(app);
}

static int
cmd_reset(struct app *app, int argc, char **argv)
{
	const char *fams[2];
	size_t nf;
	int err;

	if ((err = families(app, argc, argv, fams, &nf)))
		return err;
	return devenv_reset(&app->run, fams, nf);
}

/* Blocks until every database is in the state its files describe and no
 * run is in progress, polling with backoff; exit 69 after 'timeout_s'. */
static int
wait_ready(struct app *app, int timeout_s)
{
	int64_t deadline = devenv_now_ms() + (int64_t)timeout_s * 1000;
	int delay = 10;

	for (;;) {
		struct devenv_ctx ctx = { .run = &app->run };
		int ready = 0;

		devenv_up_ready(&ctx, &ready);
		devenv_ctx_release(&ctx);
		devenv_error_clear();
		if (ready)
			return 0;
		if (devenv_cancel_signal)
			return DEVENV_ECANCELLED;
		if (devenv_now_ms() + delay > deadline)
			return devenv_error_set(
			        DEVENV_EUNAVAILABLE,
			        "not ready after %d s: the databases do not match their "
			        "files yet, or a run is in progress",
			        timeout_s);
		devenv_sleep_ms(delay);
		delay = delay < 200 ? delay * 2 : 200;
	}
}

static int
cmd_wait(struct app *app, int argc, char **argv)
{
	const char *fams[2], *names[2];
	char *args[2], buf[2][32];
	size_t nf;
	int na = 0, err, ready = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			char *end;
			long t = strtol(argv[++i], &end, 10);

			if (*end || t < 0 || t > 86400)
				return devenv_error_set(DEVENV_EUSAGE,
				                        "--timeout takes whole seconds");
			app->run.wait_timeout = (int)t;
		} else if (strcmp(argv[i], "--ready") == 0) {
			ready = 1;
		} else if (na < 2) {
			args[na++] = argv[i];
		} else {
			return devenv_error_set(DEVENV_EUSAGE, "wait: too many arguments");
		}
	}
	if (ready)
		return wait_ready(app, app->run.wait_timeout >= 0 ? app->run.wait_timeout : 600);
	if ((err = families(app, na, args, fams, &nf)))
		return err;
	for (size_t i = 0; i < nf; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%s.wait", fams[i]);
		names[i] = buf[i];
	}
	return run_plugins(app, names, nf, NULL);
}

/* Runs one command plugin ("pg.sessions") with the rest of argv. */
static int
run_command_plugin(struct app *app, const char *name, int argc, char **argv)
{
	app->run.argc = argc;
	app->run.argv = (const char *const *)argv;
	app->run.quiet_results = 1;
	return run_plugins(app, &name, 1, NULL);
}

/* Runs psql on 'url' with 'args' after it. The password goes in PGPASSWORD,
 * not on the command line, where every user's ps would show it. */
static int
exec_psql(const char *url, int argc, char **argv)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	char *conninfo = xstrdup(""), **args;

	if (!opts)
		return devenv_error_set(DEVENV_ECONFIG, "the PostgreSQL URL cannot be parsed");
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		char *quoted, *next, *q;

		if (!o->val || !*o->val)
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			setenv("PGPASSWORD", o->val, 1);
			continue;
		}
		/* A conninfo value: quoted, with ' and \ escaped. */
		quoted = xmalloc(2 * strlen(o->val) + 3);
		q = quoted;
		*q++ = '\'';
		for (const char *v = o->val; *v; v++) {
			if (*v == '\'' || *v == '\\')
				*q++ = '\\';
			*q++ = *v;
		}
		*q++ = '\'';
		*q = '\0';
		next = xasprintf("%s%s%s=%s", conninfo, *conninfo ? " " : "", o->keyword, quoted);
		free(quoted);
		free(conninfo);
		conninfo = next;
	}
	PQconninfoFree(opts);
	/* "devenv pg connect -- -c 'select 1'": psql's own options after "--". */
	if (argc > 0 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	}
	args = xcalloc((size_t)argc + 3, sizeof(*args));
	args[0] = "psql";
	args[1] = conninfo;
	for (int i = 0; i < argc; i++)
		args[i + 2] = argv[i];
	fflush(NULL);
	execvp("psql", args);
	free(args);
	free(conninfo);
	return devenv_error_set(DEVENV_EUNAVAILABLE, "cannot run psql: %s", strerror(errno));
}

static int
cmd_pg(struct app *app, int argc, char **argv)
{
	struct devenv_ctx ctx = { .run = &app->run };
	const char *url;

	if (argc < 1)
		return devenv_error_set(DEVENV_EUSAGE, "usage: devenv pg sessions|connect");
	if (!devenv_config_has(app->cfg, "postgres"))
		return devenv_error_set(DEVENV_ECONFIG, "devenv.ini has no [postgres] section");
	if (strcmp(argv[0], "sessions") == 0)
		return run_command_plugin(app, "pg.sessions", argc - 1, argv + 1);
	if (strcmp(argv[0], "connect") != 0)
		return devenv_error_set(DEVENV_EUSAGE, "pg: unknown subcommand '%s'", argv[0]);
	url = devenv_pg_url(&ctx);
	if (!url || !*url)
		return devenv_error_set(DEVENV_ECONFIG, "no PostgreSQL URL for environment %s",
		                        devenv_config_env(app->cfg));
	return exec_psql(url, argc - 1, argv + 1);
}

static int
cmd_ddb(struct app *app, int argc, char **argv)
{
	if (argc < 1)
		return devenv_error_set(DEVENV_EUSAGE, "usage: devenv ddb tables | ddb scan TABLE");
	if (!devenv_config_has(app->cfg, "dynamodb"))
		return devenv_error_set(DEVENV_ECONFIG, "devenv.ini has no [dynamodb] section");
	if (strcmp(argv[0], "tables") == 0)
		return run_command_plugin(app, "ddb.tables", argc - 1, argv + 1);
	if (strcmp(argv[0], "scan") == 0)
		return run_command_plugin(app, "ddb.scan", argc - 1, argv + 1);
	return devenv_error_set(DEVENV_EUSAGE, "ddb: unknown subcommand '%s'", argv[0]);
}

static void
print_service(const char *name, json_t *svc)
{
	json_t *tables = json_object_get(svc, "tables"), *last = json_object_get(svc, "last_run"),
	       *v;
	const char *t, *counts = json_string_value(json_object_get(svc, "counts"));
	int estimated = counts && strcmp(counts, "estimated") == 0;

	devenv_printf(
	        "%-9s %s  %s%s%s\n", name,
	        json_string_value(
	                json_object_get(svc, json_object_get(svc, "url") ? "url" : "endpoint")),
	        json_is_true(json_object_get(svc, "reachable")) ? "reachable" : "NOT reachable",
	        json_object_get(svc, "version") ? ", version " : "",
	        json_string_value(json_object_get(svc, "version")) ?: "");
	/* ~: the server's estimate (a production target). */
	json_object_foreach(tables, t, v) devenv_printf(
	        "          %-36s %s%lld %s\n", t, estimated ? "~" : "", json_integer_value(v),
	        strcmp(name, "postgres") == 0 ? "rows" : "items");
	if (json_is_object(last))
		devenv_printf("          last run %s: %s (%s, %lld ms)\n",
		              json_string_value(json_object_get(last, "at")),
		              json_string_value(json_object_get(last, "result")),
		              json_string_value(json_object_get(last, "why")),
		              json_integer_value(json_object_get(last, "ms")));
}

static int
cmd_status(struct app *app, int argc, char **argv)
{
	json_t *j = NULL;
	int err;

	(void)argv;
	if (argc > 0)
		return devenv_error_set(DEVENV_EUSAGE, "status takes no arguments");
	if ((err = devenv_status_report(&j, &app->run)))
		return err;
	if (app->json) {
		char *s = json_dumps(j, JSON_INDENT(2));

		devenv_printf("%s\n", s);
		free(s);
	} else {
		devenv_printf("root      %s\nenv       %s%s\n", app->root,
		              devenv_config_env(app->cfg),
		              devenv_config_protected(app->cfg) ? " (protected)" : "");
		if (json_object_get(j, "postgres"))
			print_service("postgres", json_object_get(j, "postgres"));
		if (json_object_get(j, "dynamodb"))
			print_service("dynamodb", json_object_get(j, "dynamodb"));
		if (json_integer_value(json_object_get(j, "watcher")))
			devenv_printf("watcher   running (pid %lld)\n",
			              json_integer_value(json_object_get(j, "watcher")));
		else
			devenv_printf("watcher   not running\n");
		devenv_printf("ready     %s\n",
		              json_is_true(json_object_get(j, "ready")) ? "yes"
		              : json_is_true(json_object_get(j, "run_in_progress"))
		                      ? "no (a run is in progress)"
		                      : "no");
	}
	json_decref(j);
	return 0;
}

static int
cmd_stop(struct app *app, int argc, char **argv)
{
	long pid = devenv_watcher_pid(app->state);

	(void)argv;
	if (argc > 0)
		return devenv_error_set(DEVENV_EUSAGE, "stop takes no arguments");
	if (pid && kill((pid_t)pid, SIGTERM) == 0) {
		/* Wait until it has finished its statement and gone. */
		for (int i = 0; i < 600 && kill((pid_t)pid, 0) == 0; i++)
			devenv_sleep_ms(50);
		devenv_logf(NULL, DEVENV_LOG_INFO, "stopped the watcher (pid %ld)", pid);
	} else {
		devenv_logf(NULL, DEVENV_LOG_INFO, "no watcher running");
	}
	return devenv_services_stop(&app->run);
}

static int
cmd_version(struct app *app, int argc, char **argv)
{
	(void)app, (void)argc, (void)argv;
	devenv_printf("devenv %s\n", DEVENV_VERSION);
	return 0;
}

static int
cmd_help(struct app *app, int argc, char **argv)
{
	const struct cmd *c;

	(void)app;
	if (argc == 0) {
		usage(stdout);
		return 0;
	}
	if (!(c = find_cmd(argv[0])))
		return devenv_error_set(DEVENV_EUSAGE, "no such command '%s'", argv[0]);
	printf("usage: devenv [options] %s\n\n%s\n", c->usage, c->summary);
	return 0;
}

static const struct cmd commands[] = {
	{ "up", cmd_up, NEED_CONFIG | NEED_STATE | NEED_REGISTRY, "up [--watch | --daemon]",
	  "Wait for the services, then bring every database to the state its files describe." },
	{ "reset", cmd_reset, NEED_CONFIG | NEED_STATE | NEED_LOCK | NEED_REGISTRY,
	  "reset [pg|ddb]...",
	  "Drop, create, schema-load and seed the named databases (both when none is named)." },
	{ "run", cmd_run, NEED_CONFIG | NEED_STATE | NEED_LOCK | NEED_REGISTRY, "run PLUGIN...",
	  "Run these plugins, with the plugins they run after, in order." },
	{ "wait", cmd_wait, NEED_CONFIG | NEED_STATE | NEED_REGISTRY,
	  "wait [pg|ddb]... [--timeout SECONDS] | wait --ready [--timeout SECONDS]",
	  "Wait until the named services answer; --ready: until every database is seeded and no "
	  "run is in progress." },
	{ "status", cmd_status, NEED_CONFIG | NEED_STATE | NEED_REGISTRY, "status [--json]",
	  "Show the repository, the environment, each service and the watcher." },
	{ "plugins", cmd_plugins, NEED_CONFIG | NEED_REGISTRY, "plugins [--json]",
	  "List every plugin: name, origin, summary, what it runs after (-v: unconfigured too)." },
	{ "stop", cmd_stop, NEED_CONFIG | NEED_STATE, "stop",
	  "Stop the background watcher and any service devenv started." },
	{ "pg", cmd_pg, NEED_CONFIG | NEED_STATE | NEED_REGISTRY,
	  "pg sessions | pg connect [-- PSQL-OPTIONS]",
	  "sessions: who is connected to the database. connect: psql on the resolved URL." },
	{ "ddb", cmd_ddb, NEED_CONFIG | NEED_STATE | NEED_REGISTRY,
	  "ddb tables | ddb scan TABLE [--limit N]",
	  "tables: list the tables. scan: print a table's items, page after page." },
	{ "version", cmd_version, 0, "version", "Print devenv's version." },
	{ "help", cmd_help, 0, "help [COMMAND]", "Show the commands, or one command's usage." },
};

static const struct cmd *
find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: devenv [-C DIR] [-c FILE] [-e ENV] [-q|-v] [--json] [--no-color]\n"
	           "              [--allow-destructive] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-40s %s\n", commands[i].usage, commands[i].summary);
	fprintf(f, "\nexit codes: 0 ok, 1 a plugin failed, 64 usage, 65 bad data, 69 service not "
	           "ready,\n75 lock taken, 77 refused, 78 bad config\n");
}

/* --- preconditions ------------------------------------------------------- */

static int
load_config(struct app *app)
{
	char *display;
	int err;

	if (app->config) {
		char real[PATH_MAX];

		if (!realpath(app->config, real))
			return devenv_error_set(DEVENV_ECONFIG, "%s: %s", app->config,
			                        strerror(errno));
		app->config_path = xstrdup(real);
		/* Relative paths in a named config resolve against the repository
		 * it sits in, or its own folder outside any. */
		if (devenv_repo_discover(&app->root, ".") != 0) {
			char *slash = strrchr(real, '/');

			devenv_error_clear();
			app->root = slash == real ? xstrdup("/")
			                          : xstrndup(real, (size_t)(slash - real));
		}
		display = xstrdup(app->config);
	} else {
		if ((err = devenv_repo_discover(&app->root, ".")))
			return err;
		app->config_path = devenv_path_join(app->root, "devenv.ini");
		if (access(app->config_path, F_OK) != 0)
			return devenv_error_set(
			        DEVENV_ECONFIG,
			        "no devenv.ini at the repository root %s (or name one "
			        "with -c FILE)",
			        app->root);
		display = xstrdup("devenv.ini");
	}
	err = devenv_config_load(&app->cfg, app->config_path, display, app->root, app->env);
	free(display);
	return err;
}

static int
prepare(struct app *app, const struct cmd *c)
{
	int err;

	if (!(c->need & NEED_CONFIG))
		return 0;
	if ((err = load_config(app)))
		return err;
	devenv_pg_secrets(devenv_config_get(app->cfg, "postgres", "url"));
	devenv_pg_secrets(devenv_config_get(app->cfg, "postgres", "prod_url"));
	devenv_secret_add(getenv("AWS_SECRET_ACCESS_KEY"));
	devenv_secret_add(getenv("AWS_SESSION_TOKEN"));
	app->run.cfg = app->cfg;
	app->run.root = app->root;
	if ((c->need & NEED_STATE) &&
	    (err = devenv_state_open(&app->state,
	                             devenv_config_get(app->cfg, "devenv", "state_dir"))))
		return err;
	app->run.state = app->state;
	if ((c->need & NEED_REGISTRY) && (err = devenv_registry_build(&app->reg, app->cfg)))
		return err;
	app->run.reg = app->reg;
	if (c->need & NEED_LOCK) {
		const char *t = devenv_config_get(app->cfg, "devenv", "lock_timeout");

		if ((err = devenv_state_lock(app->state, t ? atoi(t) : 60)))
			return err;
	}
	return 0;
}

/* --- global options ------------------------------------------------------ */

static int
is_help(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

/* Takes the global options out of argv, wherever they stand (before "--"),
 * leaving the command and its own arguments in order in 'rest'. */
static int
parse_globals(struct app *app, int argc, char **argv, char **rest, int *nrest, int *help)
{
	int dashdash = 0;

	*nrest = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			rest[(*nrest)++] = argv[i];
		} else if (strcmp(a, "-C") == 0) {
			val = &app->dir;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			val = &app->config;
		} else if (strcmp(a, "-e") == 0 || strcmp(a, "--env") == 0) {
			val = &app->env;
		} else if (strncmp(a, "--env=", 6) == 0) {
			app->env = a + 6;
		} else if (strncmp(a, "--config=", 9) == 0) {
			app->config = a + 9;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			app->quiet = 1;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			app->verbose = 1;
		} else if (strcmp(a, "--json") == 0) {
			app->json = 1;
		} else if (strcmp(a, "--no-color") == 0) {
			app->no_color = 1;
		} else if (strcmp(a, "--allow-destructive") == 0) {
			app->allow_destructive = 1;
		} else if (is_help(a)) {
			*help = 1;
		} else if (strcmp(a, "--version") == 0) {
			rest[(*nrest)++] = "version";
		} else {
			/* A command's own option (--timeout, --limit, --watch). */
			rest[(*nrest)++] = argv[i];
		}
		if (val) {
			if (i + 1 >= argc)
				return devenv_error_set(DEVENV_EUSAGE, "%s needs a value", a);
			*val = argv[++i];
		}
	}
	if (app->quiet && app->verbose)
		return devenv_error_set(DEVENV_EUSAGE, "-q and -v cannot be used together");
	return 0;
}

static int
exit_code(int code)
{
	if (code == DEVENV_ECANCELLED)
		return 128 + (devenv_cancel_signal ? devenv_cancel_signal : SIGINT);
	return devenv_error_exit_code(code);
}

int
devenv_cli_main(int argc, char **argv)
{
	struct app app = { .run.wait_timeout = -1 };
	char **rest = xcalloc((size_t)argc + 1, sizeof(char *));
	const struct cmd *c = NULL;
	int nrest = 0, help = 0, err;
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

	pthread_mutex_init(&app.run.mu, NULL);
	/* Before any thread: libcurl's global state is not thread-safe to set up. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	err = parse_globals(&app, argc, argv, rest, &nrest, &help);
	{
		struct devenv_log_opts lo = {
			.quiet = app.quiet,
			.verbose = app.verbose,
			.color = !app.no_color && !(no_color && *no_color) &&
			         isatty(STDOUT_FILENO) && !(term && strcmp(term, "dumb") == 0),
		};

		devenv_log_setup(&lo);
	}
	if (err)
		goto out;
	if (!app.env)
		app.env = getenv("DEVENV_ENV");
	app.run.json = app.json;
	app.run.allow_destructive = app.allow_destructive;
	if (nrest == 0) {
		usage(help ? stdout : stderr);
		err = help ? 0 : DEVENV_EUSAGE;
		if (err)
			devenv_error_set(err, "no command given");
		goto out;
	}
	if (!(c = find_cmd(rest[0]))) {
		err = devenv_error_set(DEVENV_EUSAGE,
		                       "'%s' is not a devenv command (see devenv help)", rest[0]);
		goto out;
	}
	if (help) {
		printf("usage: devenv [options] %s\n\n%s\n", c->usage, c->summary);
		goto out;
	}
	if (app.dir && chdir(app.dir) < 0) {
		err = devenv_error_set(DEVENV_EUSAGE, "-C %s: %s", app.dir, strerror(errno));
		goto out;
	}
	devenv_signals_install();
	if ((err = prepare(&app, c)))
		goto out;
	err = c->fn(&app, nrest - 1, rest + 1);
out:
	/* Plugins' errors were printed as they failed, from their threads. */
	if (err && err != DEVENV_ECANCELLED && devenv_error_last()[0])
		devenv_error_print();
	devenv_registry_free(app.reg);
	devenv_state_close(app.state);
	devenv_config_free(app.cfg);
	free(app.root);
	free(app.config_path);
	free(app.run.aws_endpoint);
	free(app.run.aws_creds);
	free(rest);
	pthread_mutex_destroy(&app.run.mu);
	devenv_secret_clear();
	curl_global_cleanup();
	return exit_code(err);
}
