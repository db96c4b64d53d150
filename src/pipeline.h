/* pipeline.h: runs a set of plugins in the order their `after` graph gives,
 * independent chains at the same time. */
#ifndef DEVENV_PIPELINE_H
#define DEVENV_PIPELINE_H

struct devenv_run;
struct devenv_pipeline;

struct devenv_pipeline *devenv_pipeline_new(struct devenv_run *run);
void devenv_pipeline_free(struct devenv_pipeline *pl);

/* Adds the plugin 'name' and, transitively, the plugins it runs after.
 * Returns 0, DEVENV_EUSAGE for an unknown name, DEVENV_ECONFIG for an
 * `after` naming an unknown plugin or a plugin whose section is missing. */
int devenv_pipeline_add(struct devenv_pipeline *pl, const char *name);

/* Adds the plugin 'name' alone: what it runs after is an ordering among the
 * plugins of this pipeline, not pulled in (up runs only what changed). */
int devenv_pipeline_add_only(struct devenv_pipeline *pl, const char *name);

/* Whether 'name' is in the pipeline. */
int devenv_pipeline_has(const struct devenv_pipeline *pl, const char *name);

/* After a run: 0 when 'name' succeeded (or is not in the pipeline), else
 * its code (skipped plugins: DEVENV_EFAIL). */
int devenv_pipeline_result(const struct devenv_pipeline *pl, const char *name);

/* Orders 'first' before 'then' in this run when both are in it (reset puts
 * drop before create this way without create depending on drop). */
void devenv_pipeline_order(struct devenv_pipeline *pl, const char *first, const char *then);

/* Checks the graph (a cycle is DEVENV_ECONFIG naming it), applies the
 * destructive guard to every plugin before any runs, then runs them: a
 * plugin starts when all it runs after succeeded; a failure skips only what
 * depends on it. Prints one line per plugin. Returns 0 or the code of the
 * first failure. */
int devenv_pipeline_run(struct devenv_pipeline *pl);

/* The plugins in a valid order, names joined by ' ' (for tests). NULL and
 * the error set on a cycle. free() it. */
char *devenv_pipeline_order_string(struct devenv_pipeline *pl);

/* guard.c: the destructive-plugin guard. Returns 0 or DEVENV_EREFUSED. */
int devenv_guard_check(struct devenv_run *run, const char *plugin);

#endif
