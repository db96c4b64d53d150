/*
 * state.c: the state dir. One flock per repository serialises runs; the
 * saved state (fingerprints, last runs) is one JSON object, replaced
 * atomically so a crash never leaves half of it.
 */
#include "state.h"
#include "core.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct devenv_state {
	char *dir;
	int lock_fd;
	pthread_mutex_t mu; /* plugins save from several threads */
};

/* mkdir -p with 'mode' for the last component. */
static int
mkdirs(const char *dir, mode_t mode)
{
	char *p = xstrdup(dir);
	int err = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			err = -1;
		*s = '/';
		if (err)
			break;
	}
	if (!err && mkdir(p, mode) < 0 && errno != EEXIST)
		err = -1;
	free(p);
	return err;
}

int
devenv_state_open(struct devenv_state **out, const char *dir)
{
	struct devenv_state *st;
	struct stat sb;

	*out = NULL;
	if (!dir || !*dir)
		return devenv_error_set(DEVENV_ECONFIG, "[devenv] state_dir is empty");
	if (mkdirs(dir, 0700) < 0 || stat(dir, &sb) < 0)
		return devenv_error_set(DEVENV_ECONFIG, "state dir %s: %s", dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return devenv_error_set(DEVENV_ECONFIG, "state dir %s is not a directory", dir);
	/* It holds a password-bearing cluster and logs: private. Others may at
	 * most traverse it (a cluster run as the postgres user needs that). */
	if ((sb.st_mode & 066) && sb.st_uid == geteuid())
		chmod(dir, 0700);
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	st->lock_fd = -1;
	pthread_mutex_init(&st->mu, NULL);
	*out = st;
	return 0;
}

void
devenv_state_close(struct devenv_state *st)
{
	if (!st)
		return;
	devenv_state_unlock(st);
	pthread_mutex_destroy(&st->mu);
	free(st->dir);
	free(st);
}

const char *
devenv_state_path(const struct devenv_state *st)
{
	return st->dir;
}

int
devenv_state_lock(struct devenv_state *st, int timeout_s)
{
	char *path = xasprintf("%s/lock", st->dir), pid[32];
	int64_t deadline = devenv_now_ms() + (int64_t)timeout_s * 1000;
	int fd, said = 0, delay = 10, err = 0;
	ssize_t n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = devenv_error_set(DEVENV_ECONFIG, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err = devenv_error_set(DEVENV_ECONFIG, "lock %s: %s", path,
			                       strerror(errno));
			goto out;
		}
		if (devenv_cancel_signal) {
			err = devenv_error_set(DEVENV_ECANCELLED,
			                       "cancelled while waiting for the lock");
			goto out;
		}
		if (devenv_now_ms() >= deadline) {
			err = devenv_error_set(
			        DEVENV_ELOCKED,
			        "another devenv run holds the repository lock; gave up "
			        "after %d s (lock_timeout)",
			        timeout_s);
			goto out;
		}
		if (!said) {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			devenv_logf(NULL, DEVENV_LOG_INFO,
			            "waiting for the repository lock (held by pid %s)",
			            *pid ? pid : "?");
			said = 1;
		}
		devenv_sleep_ms(delay);
		delay = delay < 200 ? delay * 2 : 200;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		devenv_logf(NULL, DEVENV_LOG_DEBUG, "could not write the pid to %s", path);
	st->lock_fd = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return err;
}

void
devenv_state_unlock(struct devenv_state *st)
{
	if (st->lock_fd < 0)
		return;
	if (ftruncate(st->lock_fd, 0) < 0)
		devenv_logf(NULL, DEVENV_LOG_DEBUG, "could not clear the lock file");
	flock(st->lock_fd, LOCK_UN);
	close(st->lock_fd);
	st->lock_fd = -1;
}

static json_t *
load_locked(struct devenv_state *st)
{
	char *path = xasprintf("%s/state.json", st->dir);
	json_t *j = json_load_file(path, 0, NULL);

	free(path);
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

int
devenv_state_load(struct devenv_state *st, const char *key, char *out, int outsz)
{
	json_t *j;
	const char *v;

	pthread_mutex_lock(&st->mu);
	j = load_locked(st);
	v = json_string_value(json_object_get(j, key));
	snprintf(out, (size_t)outsz, "%s", v ? v : "");
	json_decref(j);
	pthread_mutex_unlock(&st->mu);
	return 0;
}

int
devenv_state_save(struct devenv_state *st, const char *key, const char *value)
{
	char *path = xasprintf("%s/state.json", st->dir);
	char *tmp = xasprintf("%s/.state.json.%ld", st->dir, (long)getpid());
	int err = 0;
	json_t *j;

	pthread_mutex_lock(&st->mu);
	j = load_locked(st);
	if (value)
		json_object_set_new(j, key, json_string(value));
	else
		json_object_del(j, key);
	if (json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0 || rename(tmp, path) < 0) {
		err = devenv_error_set(DEVENV_EFAIL, "cannot save %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	json_decref(j);
	pthread_mutex_unlock(&st->mu);
	free(path);
	free(tmp);
	return err;
}

int
devenv_state_busy(struct devenv_state *st)
{
	char *path = xasprintf("%s/lock", st->dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC), busy = 0;

	free(path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		busy = errno == EWOULDBLOCK;
	close(fd);
	return busy;
}
