/* watch.h: watch mode's loop, driven through a small table of operations so
 * the command line owns the config and the runs. */
#ifndef DEVENV_WATCH_H
#define DEVENV_WATCH_H

#include <stddef.h>

struct devenv_watch_ops {
	/* One run: lock, up, unlock. Returns its code (reported, not fatal). */
	int (*run)(void *arg);
	/* Re-reads the configuration; on error the old one stays. */
	int (*reload)(void *arg);
	/* The files to watch, absolute: a NULL-terminated array the loop frees;
	 * '*config' gets a copy of the config file's path (the loop frees it). */
	char **(*inputs)(void *arg, char **config);
	/* The pids of the local servers devenv started (up to 'max'). */
	size_t (*service_pids)(void *arg, long *pids, size_t max);
};

/* Watches until SIGTERM or SIGINT; returns 0, or an error when watching
 * cannot start. */
int devenv_watch_loop(const struct devenv_watch_ops *ops, void *arg);

#endif
