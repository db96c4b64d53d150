/*
 * pipeline.c: the plugin graph and its runner. Nodes are plugins; an edge
 * a -> b means b runs after a. The runner starts a thread for each plugin
 * whose predecessors all succeeded, so the PostgreSQL and DynamoDB chains
 * proceed at the same time; a failure marks its dependants skipped.
 */
#include "pipeline.h"
#include "core.h"
#include "registry.h"
#include "run.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum node_state { PENDING, RUNNING, DONE_OK, DONE_FAIL, SKIPPED };

struct node {
	const struct devenv_reg_entry *e;
	size_t *preds; /* indexes of the nodes this one runs after */
	size_t npreds;
	enum node_state state;
	int code;
	struct devenv_ctx ctx;
	struct devenv_pipeline *pl;
	pthread_t thread;
};

struct devenv_pipeline {
	struct devenv_run *run;
	struct node *v;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int running;
};

struct devenv_pipeline *
devenv_pipeline_new(struct devenv_run *run)
{
	struct devenv_pipeline *pl = xcalloc(1, sizeof(*pl));

	pl->run = run;
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	return pl;
}

void
devenv_pipeline_free(struct devenv_pipeline *pl)
{
	if (!pl)
		return;
	for (size_t i = 0; i < pl->n; i++)
		free(pl->v[i].preds);
	free(pl->v);
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->cv);
	free(pl);
}

static long
find_node(const struct devenv_pipeline *pl, const char *name)
{
	for (size_t i = 0; i < pl->n; i++)
		if (strcmp(pl->v[i].e->p->name, name) == 0)
			return (long)i;
	return -1;
}

static void
add_edge(struct devenv_pipeline *pl, size_t from, size_t to)
{
	struct node *t = &pl->v[to];

	for (size_t i = 0; i < t->npreds; i++)
		if (t->preds[i] == from)
			return;
	t->preds = xrealloc(t->preds, (t->npreds + 1) * sizeof(*t->preds));
	t->preds[t->npreds++] = from;
}

/* Adds 'name' for 'wanted_by' (NULL: the user asked for it). */
static int
add(struct devenv_pipeline *pl, const char *name, const char *wanted_by, long *index)
{
	const struct devenv_reg_entry *e = devenv_registry_find(pl->run->reg, name);
	long i = find_node(pl, name);
	size_t self;

	if (i >= 0) {
		*index = i;
		return 0;
	}
	if (!e && !wanted_by)
		return devenv_error_set(DEVENV_EUSAGE, "unknown plugin '%s' (see devenv plugins)",
		                        name);
	if (!e)
		return devenv_error_set(DEVENV_ECONFIG,
		                        "plugin %s runs after '%s', which no plugin is", wanted_by,
		                        name);
	if (!e->available)
		return devenv_error_set(wanted_by ? DEVENV_ECONFIG : DEVENV_EUSAGE,
		                        "plugin %s needs a [%s] section in the config%s%s", name,
		                        e->p->section, wanted_by ? ", and " : "",
		                        wanted_by ? wanted_by : "");
	pl->v = xrealloc(pl->v, (pl->n + 1) * sizeof(*pl->v));
	self = pl->n++;
	memset(&pl->v[self], 0, sizeof(pl->v[self]));
	pl->v[self].e = e;
	for (const char *const *a = e->p->after; a && *a; a++) {
		long dep;
		int err = add(pl, *a, name, &dep);

		if (err)
			return err;
		add_edge(pl, (size_t)dep, self);
	}
	*index = (long)self;
	return 0;
}

int
devenv_pipeline_add(struct devenv_pipeline *pl, const char *name)
{
	long i;

	return add(pl, name, NULL, &i);
}

int
devenv_pipeline_add_only(struct devenv_pipeline *pl, const char *name)
{
	const struct devenv_reg_entry *e = devenv_registry_find(pl->run->reg, name);
	size_t self;

	if (!e)
		return devenv_error_set(DEVENV_EUSAGE, "unknown plugin '%s'", name);
	if (find_node(pl, name) >= 0)
		return 0;
	pl->v = xrealloc(pl->v, (pl->n + 1) * sizeof(*pl->v));
	self = pl->n++;
	memset(&pl->v[self], 0, sizeof(pl->v[self]));
	pl->v[self].e = e;
	/* Order after what is already in, and what comes later after it. */
	for (size_t i = 0; i < pl->n; i++)
		for (const char *const *a = pl->v[i].e->p->after; a && *a; a++)
			devenv_pipeline_order(pl, *a, pl->v[i].e->p->name);
	return 0;
}

int
devenv_pipeline_has(const struct devenv_pipeline *pl, const char *name)
{
	return find_node(pl, name) >= 0;
}

int
devenv_pipeline_result(const struct devenv_pipeline *pl, const char *name)
{
	long i = find_node(pl, name);

	if (i < 0)
		return DEVENV_OK;
	if (pl->v[i].state == DONE_OK)
		return DEVENV_OK;
	return pl->v[i].code ? pl->v[i].code : DEVENV_EFAIL;
}

void
devenv_pipeline_order(struct devenv_pipeline *pl, const char *first, const char *then)
{
	long a = find_node(pl, first), b = find_node(pl, then);

	if (a >= 0 && b >= 0 && a != b)
		add_edge(pl, (size_t)a, (size_t)b);
}

/* Depth-first search for a cycle; on finding one, sets the error naming it. */
static int
find_cycle(struct devenv_pipeline *pl, size_t i, int *mark, size_t *stack, size_t depth)
{
	mark[i] = 1;
	stack[depth] = i;
	for (size_t k = 0; k < pl->v[i].npreds; k++) {
		size_t p = pl->v[i].preds[k];

		if (mark[p] == 1) {
			/* stack[j..depth] with p: print in run order (p first). */
			char buf[1024] = "";
			size_t j = depth, len = 0;

			while (stack[j] != p)
				j--;
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
			                        pl->v[p].e->p->name);
			for (size_t m = depth + 1; m-- > j;)
				len += (size_t)snprintf(buf + len,
				                        sizeof(buf) > len ? sizeof(buf) - len : 0,
				                        " -> %s", pl->v[stack[m]].e->p->name);
			return devenv_error_set(DEVENV_ECONFIG,
			                        "the plugins' after graph has a cycle: %s", buf);
		}
		if (mark[p] == 0) {
			int err = find_cycle(pl, p, mark, stack, depth + 1);

			if (err)
				return err;
		}
	}
	mark[i] = 2;
	return 0;
}

static int
check_acyclic(struct devenv_pipeline *pl)
{
	int *mark = xcalloc(pl->n, sizeof(*mark)), err = 0;
	size_t *stack = xcalloc(pl->n + 1, sizeof(*stack));

	for (size_t i = 0; i < pl->n && !err; i++)
		if (!mark[i])
			err = find_cycle(pl, i, mark, stack, 0);
	free(mark);
	free(stack);
	return err;
}

char *
devenv_pipeline_order_string(struct devenv_pipeline *pl)
{
	int *done;
	char *s = xstrdup("");

	if (check_acyclic(pl)) {
		free(s);
		return NULL;
	}
	done = xcalloc(pl->n, sizeof(*done));
	/* Kahn's order, lowest index first, as the runner would start them. */
	for (size_t count = 0; count < pl->n; count++) {
		for (size_t i = 0; i < pl->n; i++) {
			int ready = !done[i];

			for (size_t k = 0; k < pl->v[i].npreds && ready; k++)
				ready = done[pl->v[i].preds[k]];
			if (ready) {
				char *t =
				        xasprintf("%s%s%s", s, *s ? " " : "", pl->v[i].e->p->name);

				free(s);
				s = t;
				done[i] = 1;
				break;
			}
		}
	}
	free(done);
	return s;
}

static void
print_result(struct node *nd, const char *status, int64_t ms)
{
	const struct devenv_log_opts *o = devenv_log_opts();
	const char *color = !o->color                        ? ""
	                    : strcmp(status, "ok") == 0      ? "\033[32m"
	                    : strcmp(status, "skipped") == 0 ? "\033[33m"
	                                                     : "\033[31m";

	if (o->quiet || nd->pl->run->quiet_results || nd->pl->run->json ||
	    nd->e->p->flags & DEVENV_PLUGIN_COMMAND)
		return;
	devenv_printf("%-22s %-28s %s%s%s  %lld ms\n", nd->e->p->name, nd->ctx.detail, color,
	              status, *color ? "\033[0m" : "", (long long)ms);
}

static void *
worker(void *arg)
{
	struct node *nd = arg;
	struct devenv_pipeline *pl = nd->pl;
	int64_t t0 = devenv_now_ms();
	int code;

	devenv_error_clear();
	code = nd->e->p->run(&nd->ctx);
	devenv_ctx_release(&nd->ctx);
	if (code > 0)
		code = DEVENV_EFAIL;
	if (code && !devenv_error_last()[0])
		devenv_error_set(code, "%s failed", nd->e->p->name);
	if (code && code != DEVENV_ECANCELLED)
		devenv_error_print();
	print_result(nd, code ? (code == DEVENV_ECANCELLED ? "cancelled" : "FAILED") : "ok",
	             devenv_now_ms() - t0);
	pthread_mutex_lock(&pl->mu);
	nd->code = code;
	nd->state = code ? DONE_FAIL : DONE_OK;
	pl->running--;
	pthread_cond_signal(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

int
devenv_pipeline_run(struct devenv_pipeline *pl)
{
	int err, first_code = 0;
	size_t finished = 0;
	pthread_t *threads;
	size_t nthreads = 0;

	if ((err = check_acyclic(pl)))
		return err;
	for (size_t i = 0; i < pl->n; i++)
		if (pl->v[i].e->p->flags & DEVENV_PLUGIN_DESTRUCTIVE)
			if ((err = devenv_guard_check(pl->run, pl->v[i].e->p->name)))
				return err;
	threads = xcalloc(pl->n + 1, sizeof(*threads));
	pthread_mutex_lock(&pl->mu);
	for (;;) {
		int progressed = 0;

		finished = 0;
		for (size_t i = 0; i < pl->n; i++)
			finished += pl->v[i].state != PENDING && pl->v[i].state != RUNNING;
		if (finished == pl->n)
			break;

		for (size_t i = 0; i < pl->n; i++) {
			struct node *nd = &pl->v[i];
			int ready = 1, blocked = 0;

			if (nd->state != PENDING)
				continue;
			for (size_t k = 0; k < nd->npreds; k++) {
				enum node_state s = pl->v[nd->preds[k]].state;

				blocked |= s == DONE_FAIL || s == SKIPPED;
				ready &= s == DONE_OK;
			}
			if (blocked || (devenv_cancel_signal && ready)) {
				nd->state = SKIPPED;
				nd->pl = pl;
				nd->ctx.run = pl->run;
				nd->ctx.entry = nd->e;
				pthread_mutex_unlock(&pl->mu);
				print_result(nd, "skipped", 0);
				pthread_mutex_lock(&pl->mu);
				progressed = 1;
			} else if (ready) {
				nd->state = RUNNING;
				nd->pl = pl;
				nd->ctx.run = pl->run;
				nd->ctx.entry = nd->e;
				pl->running++;
				if (pthread_create(&nd->thread, NULL, worker, nd) != 0) {
					pl->running--;
					nd->state = DONE_FAIL;
					nd->code = devenv_error_set(DEVENV_EFAIL,
					                            "cannot start a thread");
					devenv_error_print();
					continue;
				}
				threads[nthreads++] = nd->thread;
				progressed = 1;
			}
		}
		if (progressed)
			continue;
		if (pl->running == 0)
			break; /* nothing runs and nothing can start: cannot happen acyclic */
		pthread_cond_wait(&pl->cv, &pl->mu);
	}
	pthread_mutex_unlock(&pl->mu);
	for (size_t i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	/* The first failure in the order the user reads them. */
	for (size_t i = 0; i < pl->n && !first_code; i++)
		first_code = pl->v[i].code;
	/* Interrupted: whatever the plugins made of it, the run was cancelled. */
	if (devenv_cancel_signal)
		first_code = DEVENV_ECANCELLED;
	return first_code;
}
