/* wait.h: waiting until a service really answers. */
#ifndef DEVENV_WAIT_H
#define DEVENV_WAIT_H

#include "sys.h"

#include <signal.h>

/* A probe: 0 ready, 1 not yet (reason in 'why'), -1 never will be (a
 * fatal error is set). */
typedef int (*devenv_probe_fn)(void *arg, char *why, size_t n);

struct devenv_waiter {
	const struct devenv_sys *sys;
	const char *what; /* "PostgreSQL" */
	const char *host; /* NULL: no TCP step (a Unix socket) */
	const char *port;
	int timeout_ms;
	devenv_probe_fn probe;
	void *arg;
	volatile sig_atomic_t *cancel;
};

/* The backoff: the delay after 'prev' ms (0: the first). Starts at about
 * 10 ms and stays within tens of milliseconds, so readiness is noticed
 * promptly without spinning. */
int devenv_wait_next_delay(int prev);

/* TCP connect with a short per-attempt timeout, then the probe, with
 * backoff, until ready or 'timeout_ms' passed. Returns 0, DEVENV_EUNAVAILABLE
 * naming the last reason, DEVENV_ECANCELLED, or the probe's fatal error.
 * '*attempts' (may be NULL) counts the tries. */
int devenv_wait_run(const struct devenv_waiter *w, int *attempts);

#endif
