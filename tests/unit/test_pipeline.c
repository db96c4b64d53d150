/* Unit tests of src/pipeline.c: order, cycles, unknown names, failures. */
#include "check.h"
#include "core.h"
#include "pipeline.h"
#include "registry.h"
#include "run.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char ran[512];

static int
record(struct devenv_ctx *ctx)
{
	const char *name = ctx->entry->p->name;

	pthread_mutex_lock(&mu);
	strcat(ran, name);
	strcat(ran, " ");
	pthread_mutex_unlock(&mu);
	return strstr(name, "fail") ? devenv_error_set(DEVENV_EDATA, "%s: bad data", name) : 0;
}

#define PLUGIN(var, nm, ...)                                                                       \
	static const struct devenv_plugin var = { .abi = DEVENV_PLUGIN_ABI,                        \
		                                  .name = nm,                                      \
		                                  .after = (const char *[]){ __VA_ARGS__ },        \
		                                  .run = record }

PLUGIN(p_wait, "pg.wait", NULL);
PLUGIN(p_create, "pg.create", "pg.wait", NULL);
PLUGIN(p_schema, "pg.schema-load", "pg.create", NULL);
PLUGIN(p_seed, "pg.seed", "pg.schema-load", NULL);
PLUGIN(p_drop, "pg.drop", "pg.wait", NULL);
PLUGIN(d_wait, "ddb.wait", NULL);
PLUGIN(d_fail, "ddb.fail", "ddb.wait", NULL);
PLUGIN(d_after_fail, "ddb.after-fail", "ddb.fail", NULL);
PLUGIN(conv, "cruddur.conversation", "pg.seed", "ddb.wait", NULL);
PLUGIN(c_a, "cyc.a", "cyc.c", NULL);
PLUGIN(c_b, "cyc.b", "cyc.a", NULL);
PLUGIN(c_c, "cyc.c", "cyc.b", NULL);
PLUGIN(c_in, "cyc.in", "cyc.b", NULL);
PLUGIN(lost, "lost.x", "no.such", NULL);

static const struct devenv_plugin *const all[] = {
	&p_wait,       &p_create, &p_schema, &p_seed, &p_drop, &d_wait, &d_fail,
	&d_after_fail, &conv,     &c_a,      &c_b,    &c_c,    &c_in,   &lost,
};

static struct devenv_registry reg;
static struct devenv_run run = { .reg = &reg, .root = "/repo", .wait_timeout = -1 };

static void
setup(void)
{
	reg.n = ARRAY_SIZE(all);
	reg.v = xcalloc(reg.n, sizeof(*reg.v));
	for (size_t i = 0; i < reg.n; i++) {
		reg.v[i].p = all[i];
		reg.v[i].available = 1;
	}
}

static void
test_order(void)
{
	struct devenv_pipeline *pl = devenv_pipeline_new(&run);
	char *order;

	CHECK_INT(devenv_pipeline_add(pl, "cruddur.conversation"), 0);
	order = devenv_pipeline_order_string(pl);
	/* Everything it runs after comes first, each dependency before its user. */
	CHECK_STR(order, "pg.wait pg.create pg.schema-load pg.seed ddb.wait cruddur.conversation");
	free(order);
	devenv_pipeline_free(pl);
}

static void
test_extra_order(void)
{
	struct devenv_pipeline *pl = devenv_pipeline_new(&run);
	char *order;

	CHECK_INT(devenv_pipeline_add(pl, "pg.create"), 0);
	CHECK_INT(devenv_pipeline_add(pl, "pg.drop"), 0);
	order = devenv_pipeline_order_string(pl);
	CHECK_STR(order, "pg.wait pg.create pg.drop");
	free(order);
	/* reset's ordering: drop before create, without create depending on drop. */
	devenv_pipeline_order(pl, "pg.drop", "pg.create");
	order = devenv_pipeline_order_string(pl);
	CHECK_STR(order, "pg.wait pg.drop pg.create");
	free(order);
	devenv_pipeline_free(pl);
}

static void
test_cycle(void)
{
	struct devenv_pipeline *pl = devenv_pipeline_new(&run);

	CHECK_INT(devenv_pipeline_add(pl, "cyc.in"), 0);
	devenv_error_clear();
	CHECK(devenv_pipeline_order_string(pl) == NULL);
	CHECK_INT(devenv_error_code(), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "cycle: ");
	/* The whole cycle is named, closing on its start. */
	CHECK_HAS(devenv_error_last(), "cyc.a");
	CHECK_HAS(devenv_error_last(), "cyc.b");
	CHECK_HAS(devenv_error_last(), "cyc.c");
	CHECK(strstr(devenv_error_last(), "cyc.in") == NULL);
	CHECK_INT(devenv_pipeline_run(pl), DEVENV_ECONFIG);
	CHECK_STR(ran, "");
	devenv_pipeline_free(pl);
}

static void
test_unknown(void)
{
	struct devenv_pipeline *pl = devenv_pipeline_new(&run);

	CHECK_INT(devenv_pipeline_add(pl, "nope"), DEVENV_EUSAGE);
	CHECK_HAS(devenv_error_last(), "unknown plugin 'nope'");
	CHECK_INT(devenv_pipeline_add(pl, "lost.x"), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "plugin lost.x runs after 'no.such', which no plugin is");
	devenv_pipeline_free(pl);
}

static void
test_unavailable(void)
{
	struct devenv_pipeline *pl = devenv_pipeline_new(&run);
	static const struct devenv_plugin needs = {
		.abi = DEVENV_PLUGIN_ABI, .name = "x.y", .section = "xsection", .run = record
	};
	struct devenv_reg_entry e = { .p = &needs, .available = 0 };
	struct devenv_registry r1 = { .v = &e, .n = 1 };
	struct devenv_run run1 = { .reg = &r1, .root = "/repo" };

	devenv_pipeline_free(pl);
	pl = devenv_pipeline_new(&run1);
	CHECK_INT(devenv_pipeline_add(pl, "x.y"), DEVENV_EUSAGE);
	CHECK_HAS(devenv_error_last(), "needs a [xsection] section");
	devenv_pipeline_free(pl);
}

static void
test_failure_stops_dependants_only(void)
{
	struct devenv_pipeline *pl = devenv_pipeline_new(&run);

	ran[0] = '\0';
	CHECK_INT(devenv_pipeline_add(pl, "ddb.after-fail"), 0);
	CHECK_INT(devenv_pipeline_add(pl, "pg.seed"), 0);
	CHECK_INT(devenv_pipeline_run(pl), DEVENV_EDATA);
	CHECK_HAS(ran, "ddb.fail");
	CHECK(strstr(ran, "ddb.after-fail") == NULL);
	/* The other chain ran to its end. */
	CHECK_HAS(ran, "pg.seed");
	CHECK_HAS(ran, "pg.schema-load");
	devenv_pipeline_free(pl);
}

int
main(void)
{
	setup();
	RUN(test_order);
	RUN(test_extra_order);
	RUN(test_cycle);
	RUN(test_unknown);
	RUN(test_unavailable);
	RUN(test_failure_stops_dependants_only);
	free(reg.v);
	return check_done();
}
