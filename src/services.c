/*
 * services.c: local servers devenv starts itself (start = auto) when
 * nothing answers on a local URL: a PostgreSQL cluster in the state dir
 * (as the `postgres` user when run as root, scram-sha-256 passwords, never
 * trust) and dynalite (or DynamoDB Local when DYNAMODB_LOCAL_JAR names its
 * jar). Both listen on loopback only; `devenv stop` stops them.
 */
#include "services.h"
#include "config.h"
#include "core.h"
#include "hosts.h"
#include "repo.h"
#include "run.h"
#include "state.h"
#include "sys.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct pg_target {
	char host[256], port[16], user[128], password[256];
};

/* Finds 'prog' on PATH, else in the newest /usr/lib/postgresql/N/bin when
 * 'pg' is set. Returns a path to free(), or NULL. */
static char *
find_program(const char *prog, int pg)
{
	const char *path = getenv("PATH");
	char *copy = xstrdup(path ? path : "/usr/bin:/bin"), *save = NULL, *best = NULL;
	int best_version = -1;
	DIR *d;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *p = devenv_path_join(dir, prog);

		if (access(p, X_OK) == 0) {
			free(copy);
			return p;
		}
		free(p);
	}
	free(copy);
	if (pg && (d = opendir("/usr/lib/postgresql"))) {
		struct dirent *e;

		while ((e = readdir(d))) {
			int v = atoi(e->d_name);
			char *p = xasprintf("/usr/lib/postgresql/%s/bin/%s", e->d_name, prog);

			if (v > best_version && access(p, X_OK) == 0) {
				free(best);
				best = p;
				best_version = v;
			} else {
				free(p);
			}
		}
		closedir(d);
	}
	return best;
}

/* Runs argv to completion, as 'as_user' when given (root only), with its
 * output appended to 'log'. Returns its exit status, or -1. */
static int
run_as(const char *as_user, const char *log, char *const argv[])
{
	struct passwd *pw = as_user ? getpwnam(as_user) : NULL;
	pid_t pid;
	int status = 0;

	if (as_user && !pw)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (pw && (setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whether something accepts connections on host:port. */
static int
answers(const char *host, const char *port)
{
	char why[256];

	return devenv_sys_real.tcp_connect(host, port, 300, why, sizeof(why)) == 0;
}

static int
pg_target(struct pg_target *t, const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL);

	memset(t, 0, sizeof(*t));
	snprintf(t->port, sizeof(t->port), "5432");
	snprintf(t->user, sizeof(t->user), "postgres");
	if (!opts)
		return -1;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (strcmp(o->keyword, "host") == 0)
			snprintf(t->host, sizeof(t->host), "%s", o->val);
		else if (strcmp(o->keyword, "port") == 0)
			snprintf(t->port, sizeof(t->port), "%s", o->val);
		else if (strcmp(o->keyword, "user") == 0)
			snprintf(t->user, sizeof(t->user), "%s", o->val);
		else if (strcmp(o->keyword, "password") == 0)
			snprintf(t->password, sizeof(t->password), "%s", o->val);
	}
	PQconninfoFree(opts);
	if (!t->host[0])
		snprintf(t->host, sizeof(t->host), "localhost");
	return 0;
}

/* Where the cluster lives: the state dir; or, run as root, the postgres
 * user's home (devenv/<hash of the root>), since the private state dir and
 * the folders above it are not the postgres user's to enter. */
static char *
cluster_dir(struct devenv_run *run, const struct passwd *pw)
{
	char id[41], *parent, *dir;

	if (!pw)
		return xasprintf("%s/postgres", devenv_state_path(run->state));
	devenv_repo_blob_id_buf(id, run->root, strlen(run->root));
	parent = xasprintf("%s/devenv", pw->pw_dir);
	if (mkdir(parent, 0700) == 0 && chown(parent, pw->pw_uid, pw->pw_gid) < 0)
		devenv_logf(NULL, DEVENV_LOG_WARN, "cannot give %s to postgres", parent);
	dir = xasprintf("%s/%.12s", parent, id);
	free(parent);
	return dir;
}

static int
start_postgres(struct devenv_run *run, const struct pg_target *t)
{
	const char *sd = devenv_state_path(run->state);
	const char *as = geteuid() == 0 ? "postgres" : NULL;
	struct passwd *pw = as ? getpwnam(as) : NULL;
	char *data = cluster_dir(run, pw), *log = xasprintf("%s/postgres.log", sd);
	char *pwfile = xasprintf("%s.pw", data), *version = xasprintf("%s/PG_VERSION", data);
	char *initdb = find_program("initdb", 1), *pg_ctl = find_program("pg_ctl", 1), *opts = NULL;
	int err = 0;

	if (!initdb || !pg_ctl) {
		err = devenv_error_set(DEVENV_EUNAVAILABLE,
		                       "nothing answers on %s:%s and no PostgreSQL server binaries "
		                       "(initdb, pg_ctl) were found to start one",
		                       t->host, t->port);
		goto out;
	}
	if (as && !pw) {
		err = devenv_error_set(DEVENV_EUNAVAILABLE, "running as root, and there is no "
		                                            "'postgres' user to run a cluster as");
		goto out;
	}
	if (access(version, F_OK) != 0) {
		char *argv[] = {
			initdb, "-D", data,   "-U", (char *)t->user, "--auth=scram-sha-256",
			NULL,   "-E", "UTF8", NULL
		};
		char *pwopt = xasprintf("--pwfile=%s", pwfile);
		FILE *f;
		int fd;

		argv[6] = pwopt;
		mkdir(data, 0700);
		if (pw && chown(data, pw->pw_uid, pw->pw_gid) < 0) {
			free(pwopt);
			err = devenv_error_set(DEVENV_EUNAVAILABLE, "cannot give %s to postgres",
			                       data);
			goto out;
		}
		fd = open(pwfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0 && pw && fchown(fd, pw->pw_uid, pw->pw_gid) < 0) {
			close(fd);
			fd = -1;
		}
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (f) {
			/* The URL's password: an empty one would need trust, never used. */
			fprintf(f, "%s\n", t->password[0] ? t->password : "postgres");
			fclose(f);
		}
		devenv_logf(NULL, DEVENV_LOG_INFO, "creating a PostgreSQL cluster in %s", data);
		if (!f || run_as(as, log, argv) != 0) {
			free(pwopt);
			unlink(pwfile);
			err = devenv_error_set(DEVENV_EUNAVAILABLE, "initdb failed: see %s", log);
			goto out;
		}
		free(pwopt);
		unlink(pwfile);
	}
	{
		/* The server's own log lives in its folder: postgres writes it. */
		char *server_log = xasprintf("%s/server.log", data);
		char *argv[] = { pg_ctl, "-D", data, "-l",    server_log,
			         "-w",   "-o", NULL, "start", NULL };

		/* pg_ctl hands -o to a shell: quote the socket folder. */
		opts = xasprintf("-p %s -c listen_addresses=127.0.0.1 -k '%s'", t->port, data);
		argv[7] = opts;
		devenv_logf(NULL, DEVENV_LOG_INFO, "starting PostgreSQL on 127.0.0.1:%s", t->port);
		/* After a crash the old server's backends may hold its shared
		 * memory for a moment: try again for a few seconds. */
		for (int attempt = 0; attempt < 10 && run_as(as, log, argv) != 0; attempt++) {
			if (attempt == 9) {
				err = -1;
				break;
			}
			devenv_sleep_ms(500);
		}
		if (err) {
			err = devenv_error_set(DEVENV_EUNAVAILABLE,
			                       "PostgreSQL did not start on port %s: see %s",
			                       t->port, server_log);
			free(server_log);
			goto out;
		}
		free(server_log);
	}
	devenv_state_save(run->state, "service.pg", data);
out:
	free(data);
	free(log);
	free(pwfile);
	free(version);
	free(initdb);
	free(pg_ctl);
	free(opts);
	return err;
}

/* Starts argv detached (own session, stdio to 'log'), its pid to 'pidfile'. */
static int
spawn_detached(char *const argv[], const char *log, const char *pidfile)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

		setsid();
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	{
		FILE *f = fopen(pidfile, "w");

		if (f) {
			fprintf(f, "%ld\n", (long)pid);
			fclose(f);
		}
	}
	return 0;
}

static int
start_dynamodb(struct devenv_run *run, const char *port)
{
	const char *sd = devenv_state_path(run->state), *jar = getenv("DYNAMODB_LOCAL_JAR");
	char *log = xasprintf("%s/dynamodb.log", sd), *pidfile = xasprintf("%s/dynamodb.pid", sd);
	char *data = xasprintf("%s/dynamodb", sd), *prog = NULL, *script = NULL, *index = NULL;
	int err = 0;

	mkdir(data, 0700);
	if (jar && *jar) {
		char *java = find_program("java", 0), *lib = xstrdup(jar),
		     *slash = strrchr(lib, '/');
		char *libopt;

		if (slash)
			*slash = '\0';
		libopt = xasprintf("-Djava.library.path=%s/DynamoDBLocal_lib", slash ? lib : ".");
		if (!java) {
			err = devenv_error_set(DEVENV_EUNAVAILABLE,
			                       "DYNAMODB_LOCAL_JAR is set, but there is no java");
		} else {
			char *argv[] = { java,      libopt, "-jar",  (char *)jar,  "-sharedDb",
				         "-dbPath", data,   "-port", (char *)port, NULL };

			devenv_logf(NULL, DEVENV_LOG_INFO, "starting DynamoDB Local on port %s",
			            port);
			if (spawn_detached(argv, log, pidfile) < 0)
				err = devenv_error_set(DEVENV_EUNAVAILABLE, "cannot start java");
		}
		free(java);
		free(lib);
		free(libopt);
		goto out;
	}
	/* dynalite: on PATH, in the project's node_modules, or where the
	 * devenv checkout installed it. */
	prog = find_program("dynalite", 0);
	for (const char *rel = ".deps/node_modules/.bin/dynalite"; !prog && rel;
	     rel = strcmp(rel, "node_modules/.bin/dynalite") ? "node_modules/.bin/dynalite"
	                                                     : NULL) {
		char *p = devenv_path_join(run->root, rel);

		if (access(p, X_OK) == 0)
			prog = p;
		else
			free(p);
	}
	if (!prog) {
		err = devenv_error_set(
		        DEVENV_EUNAVAILABLE,
		        "nothing answers on port %s and no DynamoDB-compatible server "
		        "was found (npm install dynalite, or set DYNAMODB_LOCAL_JAR)",
		        port);
		goto out;
	}
	{
		char real[PATH_MAX], *node = find_program("node", 0);

		/* dynalite's command line binds every interface; its module,
		 * driven directly, listens on loopback only. */
		if (!realpath(prog, real) || !node) {
			free(node);
			err = devenv_error_set(DEVENV_EUNAVAILABLE, "cannot run %s", prog);
			goto out;
		}
		*strrchr(real, '/') = '\0';
		index = xasprintf("%s/index.js", real);
		script = xstrdup(
		        "var d = require(process.argv[1]);"
		        "var s = d({path: process.argv[3]}).listen(+process.argv[2], "
		        "'127.0.0.1', function () { console.log('dynalite listening on "
		        "127.0.0.1:' + process.argv[2]); });"
		        "process.on('SIGTERM', function () { s.close(); process.exit(0); });");
		{
			char *argv[] = { node, "-e", script, index, (char *)port, data, NULL };

			devenv_logf(NULL, DEVENV_LOG_INFO, "starting dynalite on 127.0.0.1:%s",
			            port);
			if (spawn_detached(argv, log, pidfile) < 0)
				err = devenv_error_set(DEVENV_EUNAVAILABLE, "cannot start node");
		}
		free(node);
	}
out:
	if (!err)
		devenv_state_save(run->state, "service.ddb", pidfile);
	free(log);
	free(pidfile);
	free(data);
	free(prog);
	free(script);
	free(index);
	return err;
}

int
devenv_services_ensure(struct devenv_run *run)
{
	struct devenv_ctx ctx = { .run = run };
	int err = 0;

	if (devenv_config_protected(run->cfg))
		return 0;
	if (devenv_config_has(run->cfg, "postgres") &&
	    strcmp(devenv_config_get(run->cfg, "postgres", "start"), "auto") == 0) {
		struct pg_target t;
		const char *url = devenv_pg_url(&ctx);

		if (url && *url && pg_target(&t, url) == 0 && devenv_host_is_loopback(t.host) &&
		    !answers(t.host, t.port))
			err = start_postgres(run, &t);
	}
	if (!err && devenv_config_has(run->cfg, "dynamodb") &&
	    strcmp(devenv_config_get(run->cfg, "dynamodb", "start"), "auto") == 0) {
		const char *ep = devenv_ddb_endpoint(&ctx);
		CURLU *u = curl_url();
		char *host = NULL, *port = NULL;

		if (u && ep && curl_url_set(u, CURLUPART_URL, ep, 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
		    devenv_host_is_loopback(host) && !answers(host, port))
			err = start_dynamodb(run, port);
		curl_free(host);
		curl_free(port);
		curl_url_cleanup(u);
	}
	return err;
}

long
devenv_services_pid(struct devenv_run *run, const char *family)
{
	char value[PATH_MAX];
	char *path;
	long pid;

	devenv_state_load(run->state, strcmp(family, "pg") == 0 ? "service.pg" : "service.ddb",
	                  value, sizeof(value));
	if (!value[0])
		return 0;
	path = strcmp(family, "pg") == 0 ? xasprintf("%s/postmaster.pid", value) : xstrdup(value);
	pid = devenv_pid_file_live(path);
	free(path);
	return pid;
}

int
devenv_services_stop(struct devenv_run *run)
{
	char value[PATH_MAX];
	long pid;

	devenv_state_load(run->state, "service.pg", value, sizeof(value));
	if (value[0] && devenv_services_pid(run, "pg")) {
		char *pg_ctl = find_program("pg_ctl", 1);
		char *log = xasprintf("%s/postgres.log", devenv_state_path(run->state));
		char *argv[] = { pg_ctl, "-D", value, "-m", "fast", "-w", "stop", NULL };

		if (pg_ctl && run_as(geteuid() == 0 ? "postgres" : NULL, log, argv) == 0)
			devenv_logf(NULL, DEVENV_LOG_INFO, "stopped PostgreSQL (%s)", value);
		free(pg_ctl);
		free(log);
	}
	if ((pid = devenv_services_pid(run, "ddb"))) {
		kill((pid_t)pid, SIGTERM);
		for (int i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++)
			devenv_sleep_ms(50);
		devenv_logf(NULL, DEVENV_LOG_INFO, "stopped the local DynamoDB (pid %ld)", pid);
	}
	devenv_state_save(run->state, "service.pg", NULL);
	devenv_state_save(run->state, "service.ddb", NULL);
	return 0;
}
