/*
 * exec.c: exec plugins. `[plugin.NAME] run = ...` runs with /bin/sh -c in the
 * repository root, DEVENV_* in its environment, each line it prints prefixed
 * with its name. A non-zero exit fails the plugin.
 */
#include "config.h"
#include "core.h"
#include "registry.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* environ with DEVENV_* set: built before fork, since the child of a
 * threaded process may only call async-signal-safe functions. */
static char **
child_env(struct devenv_ctx *ctx)
{
	const char *pg = devenv_pg_url(ctx), *ddb = devenv_ddb_endpoint(ctx);
	char *set[] = {
		xasprintf("DEVENV_ROOT=%s", devenv_root(ctx)),
		xasprintf("DEVENV_ENV=%s", devenv_env(ctx)),
		xasprintf("DEVENV_STATE_DIR=%s", devenv_state_dir(ctx)),
		xasprintf("DEVENV_PLUGIN=%s", ctx->entry->p->name),
		xasprintf("DEVENV_PG_URL=%s", pg ? pg : ""),
		xasprintf("DEVENV_DDB_ENDPOINT=%s", ddb ? ddb : ""),
	};
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + ARRAY_SIZE(set) + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		size_t eq = strcspn(environ[i], "=");
		int overridden = 0;

		for (size_t j = 0; j < ARRAY_SIZE(set); j++)
			overridden |= strncmp(environ[i], set[j], eq + 1) == 0;
		if (!overridden)
			env[k++] = xstrdup(environ[i]);
	}
	for (size_t j = 0; j < ARRAY_SIZE(set); j++)
		env[k++] = set[j];
	env[k] = NULL;
	return env;
}

static void
free_env(char **env)
{
	for (char **e = env; *e; e++)
		free(*e);
	free(env);
}

struct stream {
	int fd;
	int to_stdout;
	char buf[4096];
	size_t n;
};

/* Prints every complete line in 's' (and the rest when 'flush'). */
static void
emit(struct devenv_ctx *ctx, struct stream *s, int flush)
{
	char *start = s->buf, *nl;

	while ((nl = memchr(start, '\n', s->n - (size_t)(start - s->buf))) ||
	       (flush && start < s->buf + s->n) || (s->n == sizeof(s->buf) && start == s->buf)) {
		size_t len = nl ? (size_t)(nl - start) : s->n - (size_t)(start - s->buf);

		if (s->to_stdout) {
			if (!devenv_log_opts()->quiet)
				devenv_printf("%s: %.*s\n", ctx->entry->p->name, (int)len, start);
		} else {
			devenv_logf(ctx->entry->p->name, DEVENV_LOG_INFO, "%.*s", (int)len, start);
		}
		start += len + (nl ? 1 : 0);
	}
	s->n -= (size_t)(start - s->buf);
	memmove(s->buf, start, s->n);
}

int
devenv_exec_run(struct devenv_ctx *ctx)
{
	const char *cmd = ctx->entry->source;
	struct stream out[2] = { { .fd = -1, .to_stdout = 1 }, { .fd = -1 } };
	int pipes[2][2] = { { -1, -1 }, { -1, -1 } }, status = 0, err = 0, killed = 0;
	char **env = child_env(ctx);
	pid_t pid;

	/* The result line shows the start of the command, not a whole script. */
	devenv_set_detail(ctx, "%.*s%s", (int)(strlen(cmd) > 28 ? 25 : strlen(cmd)), cmd,
	                  strlen(cmd) > 28 ? "..." : "");
	for (int i = 0; i < 2; i++)
		if (pipe2(pipes[i], O_CLOEXEC) < 0) {
			err = devenv_error_set(DEVENV_EFAIL, "pipe: %s", strerror(errno));
			goto out;
		}
	pid = fork();
	if (pid < 0) {
		err = devenv_error_set(DEVENV_EFAIL, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* Its own process group, so cancelling stops what it started. */
		setpgid(0, 0);
		dup2(pipes[0][1], STDOUT_FILENO);
		dup2(pipes[1][1], STDERR_FILENO);
		if (chdir(devenv_root(ctx)) < 0)
			_exit(126);
		execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, env);
		_exit(127);
	}
	for (int i = 0; i < 2; i++) {
		close(pipes[i][1]);
		pipes[i][1] = -1;
		out[i].fd = pipes[i][0];
	}
	while (out[0].fd >= 0 || out[1].fd >= 0) {
		struct pollfd pfd[2] = { { out[0].fd, POLLIN, 0 }, { out[1].fd, POLLIN, 0 } };
		int r = poll(pfd, 2, 250);

		if (devenv_cancelled(ctx) && !killed) {
			kill(-pid, SIGTERM);
			killed = 1;
		}
		if (r < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2 && r > 0; i++) {
			ssize_t n;

			if (!pfd[i].revents)
				continue;
			n = read(out[i].fd, out[i].buf + out[i].n, sizeof(out[i].buf) - out[i].n);
			if (n <= 0 && !(n < 0 && errno == EINTR)) {
				emit(ctx, &out[i], 1);
				out[i].fd = -1;
				continue;
			}
			if (n > 0) {
				out[i].n += (size_t)n;
				emit(ctx, &out[i], 0);
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (killed)
		err = devenv_error_set(DEVENV_ECANCELLED, "%s: cancelled", ctx->entry->p->name);
	else if (WIFSIGNALED(status))
		err = devenv_error_set(DEVENV_EFAIL, "%s: '%s' was killed by signal %d",
		                       ctx->entry->p->name, cmd, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		err = devenv_error_set(DEVENV_EFAIL, "%s: '%s' exited with status %d",
		                       ctx->entry->p->name, cmd, WEXITSTATUS(status));
out:
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (pipes[i][j] >= 0)
				close(pipes[i][j]);
	free_env(env);
	return err;
}
