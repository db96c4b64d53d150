/*
 * watch.c: watch mode. inotify on the folders of every input file and of
 * devenv.ini (editors save by rename, so folders, not files); a change to a
 * named file is debounced (see SETTLE_MS) and then brings the databases up
 * again. Events that arrive during a run
 * wait in the kernel's queue and make exactly one rerun after it. A failing
 * run is reported and the watcher waits for the next change. SIGHUP or a
 * change to devenv.ini re-reads it; SIGTERM/SIGINT end the watcher once the
 * current statement is done. A local server devenv started that dies is
 * started again. When idle, nothing wakes the process: poll() sleeps on the
 * inotify descriptor, the signal pipe and the servers' pidfds only.
 */
#include "watch.h"
#include "core.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/mman.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Debounce: run once the files have been quiet for SETTLE_MS, and never
 * later than DEBOUNCE_MS after the first event of a burst: an editor's
 * save (write, rename) or a script's burst of writes makes one run, and a
 * save is seen within about 100 ms. */
enum { SETTLE_MS = 20, DEBOUNCE_MS = 100, MAX_PIDS = 4 };

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t reload_requested;

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGHUP)
		reload_requested = 1;
	else
		devenv_cancel_signal = sig;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], &c, 1) < 0) {
		/* The pipe is full: a wake-up is pending anyway. */
	}
	errno = saved;
}

static int
install_signals(void)
{
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	return 0;
}

struct watches {
	int fd;
	char **files; /* the named files, absolute */
	int *wds;
	char **dirs; /* the folder each watch descriptor stands for */
	size_t nwds;
};

/* Watches the folder of every named file (once each). */
static int
add_watches(struct watches *w, char **files)
{
	w->files = files;
	w->wds = NULL;
	w->nwds = 0;
	for (char **f = files; *f; f++) {
		char *dir = xstrdup(*f), *slash = strrchr(dir, '/');
		int wd;

		if (slash && slash != dir)
			*slash = '\0';
		wd = inotify_add_watch(w->fd, dir,
		                       IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
		                               IN_DELETE | IN_ATTRIB | IN_ONLYDIR);
		if (wd < 0) {
			devenv_logf(NULL, DEVENV_LOG_WARN, "cannot watch %s: %s", dir,
			            strerror(errno));
			free(dir);
			continue;
		}
		w->wds = xrealloc(w->wds, (w->nwds + 1) * sizeof(*w->wds));
		w->dirs = xrealloc(w->dirs, (w->nwds + 1) * sizeof(*w->dirs));
		w->wds[w->nwds] = wd;
		w->dirs[w->nwds++] = dir;
	}
	return 0;
}

static void
drop_watches(struct watches *w)
{
	for (size_t i = 0; i < w->nwds; i++) {
		/* Two files in one folder share a descriptor: remove it once. */
		int seen = 0;

		for (size_t k = 0; k < i; k++)
			seen |= w->wds[k] == w->wds[i];
		if (!seen)
			inotify_rm_watch(w->fd, w->wds[i]);
		free(w->dirs[i]);
	}
	free(w->wds);
	free(w->dirs);
	w->wds = NULL;
	w->dirs = NULL;
	w->nwds = 0;
	for (char **f = w->files; f && *f; f++)
		free(*f);
	free(w->files);
	w->files = NULL;
}

/* Reads the queued events; returns 1 when one names a watched file, and
 * sets '*config_changed' when it is the config file. */
static int
read_events(struct watches *w, const char *config, int *config_changed)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int relevant = 0;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				relevant = 1; /* lost events: assume the worst */
				continue;
			}
			if (!ev->len)
				continue;
			for (size_t i = 0; i < w->nwds; i++) {
				char *path;

				if (w->wds[i] != ev->wd)
					continue;
				path = xasprintf("%s/%s", w->dirs[i], ev->name);
				for (char **f = w->files; *f; f++) {
					if (strcmp(*f, path) != 0)
						continue;
					relevant = 1;
					if (config && strcmp(*f, config) == 0)
						*config_changed = 1;
				}
				free(path);
				break;
			}
		}
	}
	return relevant;
}

/* Before sleeping: hand back what an idle watcher does not need. The heap's
 * free pages go back to the kernel, and the shared libraries' read-only
 * pages (libcurl, libpq, libgit2, TLS...) leave this process's page tables;
 * they stay in the page cache and fault back in on the next run. Only
 * mappings holding no private copy are dropped (Anonymous: 0 in smaps), so
 * relocated data is never lost. */
static void
trim_idle(void)
{
	FILE *smaps = fopen("/proc/self/smaps", "r");
	unsigned long start = 0, end = 0;
	char line[512];
	int candidate = 0;

	malloc_trim(0);
	if (!smaps)
		return;
	while (fgets(line, sizeof(line), smaps)) {
		unsigned long a, b, anon;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3) {
			start = a;
			end = b;
			candidate = perms[1] != 'w' && perms[3] == 'p' && strstr(line, ".so");
		} else if (candidate && sscanf(line, "Anonymous: %lu kB", &anon) == 1) {
			if (anon == 0)
				madvise((void *)start, end - start, MADV_DONTNEED);
			candidate = 0;
		}
	}
	fclose(smaps);
}

/* pidfds of the local servers devenv started: readable when one exits. */
static size_t
service_fds(const struct devenv_watch_ops *ops, void *arg, int *fds)
{
	long pids[MAX_PIDS];
	size_t n = ops->service_pids ? ops->service_pids(arg, pids, MAX_PIDS) : 0, k = 0;

	for (size_t i = 0; i < n; i++) {
		int fd = (int)syscall(SYS_pidfd_open, (pid_t)pids[i], 0);

		if (fd >= 0)
			fds[k++] = fd;
	}
	return k;
}

int
devenv_watch_loop(const struct devenv_watch_ops *ops, void *arg)
{
	struct watches w = { .fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC) };
	int64_t due = -1, first_event = -1;
	int svc[MAX_PIDS], nsvc = 0, err = 0, trimmed = 0;
	char *config = NULL;

	if (w.fd < 0 || install_signals() < 0)
		return devenv_error_set(DEVENV_EFAIL, "cannot watch: %s", strerror(errno));
	add_watches(&w, ops->inputs(arg, &config));
	nsvc = (int)service_fds(ops, arg, svc);
	devenv_logf(NULL, DEVENV_LOG_INFO, "watching for changes");
	while (!devenv_cancel_signal) {
		struct pollfd pfd[2 + MAX_PIDS] = { { w.fd, POLLIN, 0 },
			                            { sig_pipe[0], POLLIN, 0 } };
		int timeout = -1, changed = 0, config_changed = 0, died = 0, r;

		for (int i = 0; i < nsvc; i++)
			pfd[2 + i] = (struct pollfd){ svc[i], POLLIN, 0 };
		if (due >= 0) {
			int64_t left = due - devenv_now_ms();

			timeout = left > 0 ? (int)left : 0;
		} else if (!trimmed) {
			trim_idle();
			trimmed = 1;
		}
		r = poll(pfd, (nfds_t)(2 + nsvc), timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (pfd[1].revents) {
			char drain[64];

			while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
				;
		}
		if (devenv_cancel_signal)
			break;
		if (pfd[0].revents & POLLIN)
			changed = read_events(&w, config, &config_changed);
		for (int i = 0; i < nsvc; i++)
			died |= !!pfd[2 + i].revents;
		if (reload_requested)
			config_changed = 1;
		if (changed || config_changed || died) {
			int64_t now = devenv_now_ms();

			if (first_event < 0)
				first_event = now;
			due = now + SETTLE_MS;
			if (due > first_event + DEBOUNCE_MS)
				due = first_event + DEBOUNCE_MS;
			if (died)
				due = now;
		}
		if (config_changed) {
			reload_requested = 0;
			free(config);
			config = NULL;
			drop_watches(&w);
			if (ops->reload(arg) != 0)
				devenv_error_print(); /* the old config stays */
			else
				devenv_logf(NULL, DEVENV_LOG_INFO, "re-read the configuration");
			add_watches(&w, ops->inputs(arg, &config));
		}
		if (due < 0 || devenv_now_ms() < due)
			continue;
		due = first_event = -1;
		for (int i = 0; i < nsvc; i++)
			close(svc[i]);
		/* The run: errors are reported; the watcher waits for the next change. */
		err = ops->run(arg);
		trimmed = 0;
		if (err && err != DEVENV_ECANCELLED)
			devenv_logf(NULL, DEVENV_LOG_INFO,
			            "the run failed; waiting for the next change");
		nsvc = (int)service_fds(ops, arg, svc);
	}
	for (int i = 0; i < nsvc; i++)
		close(svc[i]);
	drop_watches(&w);
	free(config);
	close(w.fd);
	return 0;
}
