/* status.h: the report `devenv status` prints. */
#ifndef DEVENV_STATUS_H
#define DEVENV_STATUS_H

#include <jansson.h>

struct devenv_run;
struct devenv_state;

/* Builds the status report (services, tables, counts, last runs, watcher,
 * ready). Unreachable services are reported, not errors. */
int devenv_status_report(json_t **out, struct devenv_run *run);

/* The pid of the running watcher (from devenv.pid), or 0. */
long devenv_watcher_pid(struct devenv_state *st);

#endif
