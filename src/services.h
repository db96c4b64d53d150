/* services.h: local servers devenv starts when nothing answers. */
#ifndef DEVENV_SERVICES_H
#define DEVENV_SERVICES_H

struct devenv_run;

/* For each configured database with start = auto whose URL or endpoint is
 * on this machine and where nothing answers, starts a local server (not in
 * a protected environment). Returns 0 or DEVENV_EUNAVAILABLE. */
int devenv_services_ensure(struct devenv_run *run);

/* Stops the servers devenv started. */
int devenv_services_stop(struct devenv_run *run);

/* The pid of the server devenv started for "pg" or "ddb", while it lives;
 * else 0. */
long devenv_services_pid(struct devenv_run *run, const char *family);

#endif
