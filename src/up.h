/* up.h: bringing databases to the state their files describe. */
#ifndef DEVENV_UP_H
#define DEVENV_UP_H

#include <jansson.h>
#include <stddef.h>

struct devenv_run;
struct devenv_ctx;

/* Waits for every configured service, then resets each database whose
 * inputs changed or that is missing, and what runs after it; touches
 * nothing else. In a protected environment: creates what is missing, never
 * resets or seeds. Prints one summary line per database. Returns 0 or the
 * first failure's code. */
int devenv_up(struct devenv_run *run);

/* Drops, creates, loads and seeds the databases 'names' ("pg", "ddb") and
 * what runs after them. Returns 0 or the first failure's code. */
int devenv_reset(struct devenv_run *run, const char *const *names, size_t n);

/* Whether everything is in the state its files describe and no run is in
 * progress ("ready means seeded"), looked at through 'ctx' (its connections
 * are the caller's to release). */
int devenv_up_ready(struct devenv_ctx *ctx, int *ready);

#endif
