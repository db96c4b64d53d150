/* state.h: the state dir: the repository lock and the saved state. */
#ifndef DEVENV_STATE_H
#define DEVENV_STATE_H

struct devenv_state;

/* Opens (creating, mode 0700) the state dir 'dir'. Returns 0 or DEVENV_ECONFIG. */
int devenv_state_open(struct devenv_state **out, const char *dir);
void devenv_state_close(struct devenv_state *st);
const char *devenv_state_path(const struct devenv_state *st);

/* Takes the repository lock, waiting up to 'timeout_s' seconds for another
 * run to release it (saying once whom it waits for). Returns 0, or
 * DEVENV_ELOCKED. The lock goes with devenv_state_unlock() or the process. */
int devenv_state_lock(struct devenv_state *st, int timeout_s);
void devenv_state_unlock(struct devenv_state *st);

/* Whether another process holds the repository lock: a run in progress. */
int devenv_state_busy(struct devenv_state *st);

/* The saved value under 'key' into out (NUL-terminated, "" when none). */
int devenv_state_load(struct devenv_state *st, const char *key, char *out, int outsz);
/* Saves 'value' under 'key' (NULL removes), atomically (write and rename). */
int devenv_state_save(struct devenv_state *st, const char *key, const char *value);

#endif
