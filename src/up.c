/*
 * up.c: `up` and `reset`. A database ("family": pg, ddb) whose input files
 * changed, or whose database or tables are missing, is reset as a whole
 * (drop, create, schema-load, seed), and so is every plugin that runs after
 * one of those. Nothing else is touched. Fingerprints (git blob ids of the
 * inputs, with the target and the environment) are saved in the state dir
 * only when the whole chain succeeded, and voided before it starts, so an
 * interrupted run is redone by the next.
 */
#include "up.h"
#include "config.h"
#include "core.h"
#include "pg.h"
#include "pipeline.h"
#include "registry.h"
#include "repo.h"
#include "run.h"
#include "services.h"
#include "state.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct family {
	const char *name;    /* the plugins' prefix */
	const char *section; /* the config section that enables it */
	int (*present)(struct devenv_ctx *ctx, int *yes);
	const char *(*target)(struct devenv_ctx *ctx);
};

/* The database exists and, when there is a schema, has a table. One
 * connection, to the database itself: each costs a SCRAM exchange. */
static int
pg_present(struct devenv_ctx *ctx, int *yes)
{
	*yes = 0;
	if (!devenv_pg(ctx)) {
		/* libpq says so only in words: "database \"x\" does not exist". */
		if (strstr(devenv_error_last(), "does not exist")) {
			devenv_error_clear();
			return 0;
		}
		return devenv_error_code();
	}
	if (!*devenv_cfg_list(ctx, "postgres", "schema")) {
		*yes = 1;
		return 0;
	}
	return devenv_pg_has_tables(yes, ctx);
}

static const char *
pg_target(struct devenv_ctx *ctx)
{
	return devenv_pg_dbname(ctx);
}

/* Every table the schema files name exists. */
static int
ddb_present(struct devenv_ctx *ctx, int *yes)
{
	json_t *have = json_array(), *out = NULL, *schema = NULL, *t, *name;
	const char *last = NULL;
	size_t i, k;
	char body[1200];
	int err = 0;

	*yes = 1;
	do {
		snprintf(body, sizeof(body), last ? "{\"ExclusiveStartTableName\":\"%s\"}" : "{}",
		         last);
		json_decref(out);
		if ((err = devenv_ddb_call(&out, NULL, ctx, "ListTables", body)))
			goto done;
		json_array_extend(have, json_object_get(out, "TableNames"));
		last = json_string_value(json_object_get(out, "LastEvaluatedTableName"));
	} while (last);
	if ((err = devenv_ddb_schema(&schema, ctx)))
		goto done;
	json_array_foreach(schema, i, t)
	{
		int found = 0;

		json_array_foreach(have, k, name) found |=
		        json_equal(name, json_object_get(t, "TableName"));
		*yes &= found;
	}
done:
	json_decref(schema);
	json_decref(out);
	json_decref(have);
	return err;
}

static const char *
ddb_target(struct devenv_ctx *ctx)
{
	return devenv_ddb_endpoint(ctx);
}

static const struct family families[] = {
	{ "pg", "postgres", pg_present, pg_target },
	{ "ddb", "dynamodb", ddb_present, ddb_target },
};

static const struct family *
family_of(const char *plugin)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		size_t n = strlen(families[i].name);

		if (strncmp(plugin, families[i].name, n) == 0 && plugin[n] == '.')
			return &families[i];
	}
	return NULL;
}

static int
is_wait(const char *plugin)
{
	const char *dot = strrchr(plugin, '.');

	return dot && strcmp(dot, ".wait") == 0;
}

/* Whether 'e' takes part in bringing databases up (not a command). */
static int
buildable(const struct devenv_reg_entry *e)
{
	return e->available && !(e->p->flags & DEVENV_PLUGIN_COMMAND) && !is_wait(e->p->name);
}

/* The fingerprint of a family: its input files, target and environment. */
static int
family_fingerprint(char out[41], struct devenv_ctx *ctx, const struct family *f)
{
	const char **files = devenv_config_section_files(ctx->run->cfg, f->section);
	char fp[41], *text;
	int err = devenv_fingerprint(fp, ctx, files);

	free(files);
	if (err)
		return err;
	text = xasprintf("files %s\ntarget %s\nenv %s\n", fp, f->target(ctx) ? f->target(ctx) : "",
	                 devenv_env(ctx));
	devenv_repo_blob_id_buf(out, text, strlen(text));
	free(text);
	return 0;
}

/* The fingerprint of a plugin outside the families: its source and the files
 * of its section. */
static int
plugin_fingerprint(char out[41], struct devenv_ctx *ctx, const struct devenv_reg_entry *e)
{
	const char **files =
	        e->p->section ? devenv_config_section_files(ctx->run->cfg, e->p->section) : NULL;
	char fp[41] = "", *text;
	int err = files ? devenv_fingerprint(fp, ctx, files) : 0;

	free(files);
	if (err)
		return err;
	text = xasprintf("plugin %s\nsource %s\nfiles %s\nenv %s\n", e->p->name,
	                 e->source ? e->source : "", fp, devenv_env(ctx));
	devenv_repo_blob_id_buf(out, text, strlen(text));
	free(text);
	return 0;
}

static void
state_key(char *out, size_t n, const char *kind, const char *name)
{
	snprintf(out, n, "fp.%s.%s", kind, name);
}

/* What a run plans: families to reset and plugins to run. */
struct plan {
	int reset[ARRAY_SIZE(families)];
	char fp[ARRAY_SIZE(families)][41];
	const char *why[ARRAY_SIZE(families)];
	int failed[ARRAY_SIZE(families)];
	int64_t ms;
	struct devenv_pipeline *pl;
};

/* Adds the family's plugins (drop first), and everything after them. */
static int
plan_family(struct plan *p, struct devenv_run *run, size_t fi, int with_drop)
{
	const struct devenv_registry *reg = run->reg;
	int err = 0;

	for (size_t i = 0; i < reg->n && !err; i++) {
		const struct devenv_reg_entry *e = &reg->v[i];

		if (!buildable(e) || family_of(e->p->name) != &families[fi])
			continue;
		if ((e->p->flags & DEVENV_PLUGIN_DESTRUCTIVE) && !with_drop)
			continue;
		err = devenv_pipeline_add_only(p->pl, e->p->name);
	}
	/* Every drop of the family runs before the rest of it. */
	for (size_t i = 0; i < reg->n; i++) {
		if (!(reg->v[i].p->flags & DEVENV_PLUGIN_DESTRUCTIVE) ||
		    !devenv_pipeline_has(p->pl, reg->v[i].p->name) ||
		    family_of(reg->v[i].p->name) != &families[fi])
			continue;
		for (size_t j = 0; j < reg->n; j++)
			if (family_of(reg->v[j].p->name) == &families[fi] &&
			    !(reg->v[j].p->flags & DEVENV_PLUGIN_DESTRUCTIVE))
				devenv_pipeline_order(p->pl, reg->v[i].p->name, reg->v[j].p->name);
	}
	return err;
}

/* Adds every buildable plugin outside the families that runs after a
 * planned one (to a fixpoint), or whose own fingerprint changed. */
static int
plan_dependants(struct plan *p, struct devenv_run *run, struct devenv_ctx *ctx, int by_fp)
{
	const struct devenv_registry *reg = run->reg;
	int grew = 1, err = 0;

	while (grew && !err) {
		grew = 0;
		for (size_t i = 0; i < reg->n && !err; i++) {
			const struct devenv_reg_entry *e = &reg->v[i];
			int want = 0;

			if (!buildable(e) || family_of(e->p->name) ||
			    (e->p->flags & DEVENV_PLUGIN_DESTRUCTIVE) ||
			    devenv_pipeline_has(p->pl, e->p->name))
				continue;
			for (const char *const *a = e->p->after; a && *a; a++)
				want |= devenv_pipeline_has(p->pl, *a);
			if (!want && by_fp) {
				char fp[41], key[256], saved[64];

				if ((err = plugin_fingerprint(fp, ctx, e)))
					break;
				state_key(key, sizeof(key), "plugin", e->p->name);
				devenv_state_get(saved, sizeof(saved), ctx, key);
				want = strcmp(fp, saved) != 0;
			}
			if (want) {
				err = devenv_pipeline_add_only(p->pl, e->p->name);
				grew = 1;
			}
		}
	}
	return err;
}

/* Records a chain's last run: when, how it ended, why it ran, how long. */
static void
save_last_run(struct devenv_ctx *ctx, const char *family, int ok, const char *why, int64_t ms)
{
	char key[64], when[64];
	time_t now = time(NULL);
	struct tm tm;
	json_t *j;
	char *text;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	j = json_pack("{s:s, s:s, s:s, s:I}", "at", when, "result", ok ? "ok" : "failed", "why",
	              why ? why : "", "ms", (json_int_t)ms);
	text = json_dumps(j, JSON_COMPACT);
	snprintf(key, sizeof(key), "last.%s", family);
	devenv_state_put(ctx, key, text);
	free(text);
	json_decref(j);
}

/* Runs the plan; saves the fingerprints of what fully succeeded. */
static int
run_plan(struct plan *p, struct devenv_run *run, struct devenv_ctx *ctx)
{
	const struct devenv_registry *reg = run->reg;
	char key[256], fp[41];
	int err;

	/* Voided first: a run cut short is redone by the next. */
	for (size_t fi = 0; fi < ARRAY_SIZE(families); fi++)
		if (p->reset[fi]) {
			state_key(key, sizeof(key), "family", families[fi].name);
			devenv_state_put(ctx, key, NULL);
		}
	for (size_t i = 0; i < reg->n; i++)
		if (devenv_pipeline_has(p->pl, reg->v[i].p->name) &&
		    !family_of(reg->v[i].p->name)) {
			state_key(key, sizeof(key), "plugin", reg->v[i].p->name);
			devenv_state_put(ctx, key, NULL);
		}
	{
		int64_t t0 = devenv_now_ms();

		err = devenv_pipeline_run(p->pl);
		p->ms = devenv_now_ms() - t0;
	}
	for (size_t fi = 0; fi < ARRAY_SIZE(families); fi++) {
		int ok = p->reset[fi];

		for (size_t i = 0; i < reg->n && ok; i++)
			if (family_of(reg->v[i].p->name) == &families[fi])
				ok = devenv_pipeline_result(p->pl, reg->v[i].p->name) == 0;
		p->failed[fi] = p->reset[fi] && !ok;
		if (p->reset[fi])
			save_last_run(ctx, families[fi].name, ok && !devenv_cancelled(ctx),
			              p->why[fi], p->ms);
		if (ok && p->fp[fi][0] && !devenv_cancelled(ctx)) {
			state_key(key, sizeof(key), "family", families[fi].name);
			devenv_state_put(ctx, key, p->fp[fi]);
		}
	}
	for (size_t i = 0; i < reg->n; i++) {
		const struct devenv_reg_entry *e = &reg->v[i];

		if (!devenv_pipeline_has(p->pl, e->p->name) || family_of(e->p->name) ||
		    devenv_pipeline_result(p->pl, e->p->name) != 0 || devenv_cancelled(ctx))
			continue;
		if (plugin_fingerprint(fp, ctx, e) == 0) {
			state_key(key, sizeof(key), "plugin", e->p->name);
			devenv_state_put(ctx, key, fp);
		}
	}
	return err;
}

/* Waits for every configured family's service, all at once. */
static int
wait_all(struct devenv_run *run)
{
	struct devenv_pipeline *pl = devenv_pipeline_new(run);
	int err = 0;

	for (size_t fi = 0; fi < ARRAY_SIZE(families) && !err; fi++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.wait", families[fi].name);
		if (devenv_config_has(run->cfg, families[fi].section) &&
		    devenv_registry_find(run->reg, name))
			err = devenv_pipeline_add(pl, name);
	}
	if (!err)
		err = devenv_pipeline_run(pl);
	devenv_pipeline_free(pl);
	return err;
}

static void
summary(struct plan *p, struct devenv_run *run, struct devenv_ctx *ctx)
{
	for (size_t fi = 0; fi < ARRAY_SIZE(families); fi++) {
		const char *target;
		char shown[512];

		if (!devenv_config_has(run->cfg, families[fi].section))
			continue;
		target = families[fi].target(ctx);
		devenv_url_display(shown, sizeof(shown), target ? target : "");
		devenv_printf("%-4s %-34s %s\n", families[fi].name, shown,
		              !p->reset[fi]   ? (p->why[fi] ? p->why[fi] : "up to date")
		              : p->failed[fi] ? "FAILED"
		                              : p->why[fi]);
	}
}

int
devenv_up(struct devenv_run *run)
{
	struct devenv_ctx ctx = { .run = run };
	struct plan p = { 0 };
	int protected = devenv_config_protected(run->cfg), err;

	if ((err = devenv_services_ensure(run)) || (err = wait_all(run)))
		return err;
	p.pl = devenv_pipeline_new(run);
	for (size_t fi = 0; fi < ARRAY_SIZE(families) && !err; fi++) {
		char key[256], saved[64];
		int present = 0, has_plugins = 0;

		if (!devenv_config_has(run->cfg, families[fi].section))
			continue;
		for (size_t i = 0; i < run->reg->n; i++)
			has_plugins |= buildable(&run->reg->v[i]) &&
			               family_of(run->reg->v[i].p->name) == &families[fi];
		if (!has_plugins) {
			p.why[fi] = "waited; no plugins to run";
			continue;
		}
		if ((err = family_fingerprint(p.fp[fi], &ctx, &families[fi])) ||
		    (err = families[fi].present(&ctx, &present)))
			break;
		state_key(key, sizeof(key), "family", families[fi].name);
		devenv_state_get(saved, sizeof(saved), &ctx, key);
		if (protected) {
			/* Production: create what is missing, never reset, never seed. */
			if (present) {
				p.why[fi] = "present; not touched (protected environment)";
				continue;
			}
			p.reset[fi] = 1;
			p.fp[fi][0] = '\0';
			p.why[fi] = "created; not seeded (protected environment: use run *.seed)";
			for (size_t i = 0; i < run->reg->n && !err; i++) {
				const struct devenv_reg_entry *e = &run->reg->v[i];
				const char *verb = strchr(e->p->name, '.');

				if (buildable(e) && family_of(e->p->name) == &families[fi] &&
				    verb &&
				    (strcmp(verb, ".create") == 0 ||
				     strcmp(verb, ".schema-load") == 0))
					err = devenv_pipeline_add_only(p.pl, e->p->name);
			}
			continue;
		}
		if (present && strcmp(saved, p.fp[fi]) == 0)
			continue;
		p.reset[fi] = 1;
		p.why[fi] = !present   ? "reset (was missing)"
		            : saved[0] ? "reset (inputs changed)"
		                       : "reset (first run)";
		err = plan_family(&p, run, fi, present);
	}
	if (!err && !protected)
		err = plan_dependants(&p, run, &ctx, 1);
	/* Our own connections close first: a drop would have to end them. */
	devenv_ctx_release(&ctx);
	if (!err)
		err = run_plan(&p, run, &ctx);
	if (!devenv_log_opts()->quiet && err != DEVENV_EREFUSED && err != DEVENV_ECONFIG)
		summary(&p, run, &ctx);
	devenv_pipeline_free(p.pl);
	devenv_ctx_release(&ctx);
	return err;
}

int
devenv_reset(struct devenv_run *run, const char *const *names, size_t n)
{
	struct devenv_ctx ctx = { .run = run };
	struct plan p = { 0 };
	int err;

	if ((err = devenv_services_ensure(run)))
		return err;
	p.pl = devenv_pipeline_new(run);
	for (size_t k = 0; k < n && !err; k++) {
		size_t fi;
		int has_drop = 0;

		for (fi = 0; fi < ARRAY_SIZE(families); fi++)
			if (strcmp(families[fi].name, names[k]) == 0)
				break;
		if (fi == ARRAY_SIZE(families)) {
			err = devenv_error_set(DEVENV_EUSAGE,
			                       "'%s' is not a database: use pg or ddb", names[k]);
			break;
		}
		for (size_t i = 0; i < run->reg->n; i++)
			has_drop |= buildable(&run->reg->v[i]) &&
			            family_of(run->reg->v[i].p->name) == &families[fi] &&
			            (run->reg->v[i].p->flags & DEVENV_PLUGIN_DESTRUCTIVE);
		if (!has_drop) {
			err = devenv_error_set(DEVENV_EUSAGE,
			                       "reset %s: this devenv has no %s drop plugin",
			                       names[k], names[k]);
			break;
		}
		p.reset[fi] = 1;
		p.why[fi] = "reset";
		if (!(err = family_fingerprint(p.fp[fi], &ctx, &families[fi])))
			err = plan_family(&p, run, fi, 1);
	}
	/* The wait plugins run first here: nothing was waited for yet. */
	for (size_t fi = 0; fi < ARRAY_SIZE(families) && !err; fi++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.wait", families[fi].name);
		if (p.reset[fi] && devenv_registry_find(run->reg, name))
			err = devenv_pipeline_add_only(p.pl, name);
	}
	if (!err)
		err = plan_dependants(&p, run, &ctx, 0);
	/* Our own connections close first: a drop would have to end them. */
	devenv_ctx_release(&ctx);
	if (!err)
		err = run_plan(&p, run, &ctx);
	devenv_pipeline_free(p.pl);
	devenv_ctx_release(&ctx);
	return err;
}

int
devenv_up_ready(struct devenv_ctx *ctx, int *ready)
{
	struct devenv_run *run = ctx->run;
	int err = 0;

	/* A run in progress: not ready, and nothing else to look at (wait
	 * --ready asks again every 200 ms). */
	*ready = !devenv_state_busy(run->state);
	if (!*ready)
		return 0;
	for (size_t fi = 0; fi < ARRAY_SIZE(families) && !err; fi++) {
		char key[256], saved[64], fp[41];
		int present = 0;

		if (!devenv_config_has(run->cfg, families[fi].section))
			continue;
		if ((err = family_fingerprint(fp, ctx, &families[fi])))
			break;
		/* Unreachable counts as not ready, not as an error. */
		if (families[fi].present(ctx, &present) != 0) {
			devenv_error_clear();
			present = 0;
		}
		state_key(key, sizeof(key), "family", families[fi].name);
		devenv_state_get(saved, sizeof(saved), ctx, key);
		*ready &= present && strcmp(saved, fp) == 0;
	}
	/* Plugins outside the families (the conversation seed) count too. */
	for (size_t i = 0; i < run->reg->n && !err; i++) {
		const struct devenv_reg_entry *e = &run->reg->v[i];
		char key[256], saved[64], fp[41];

		if (!buildable(e) || family_of(e->p->name) ||
		    (e->p->flags & DEVENV_PLUGIN_DESTRUCTIVE))
			continue;
		if ((err = plugin_fingerprint(fp, ctx, e)))
			break;
		state_key(key, sizeof(key), "plugin", e->p->name);
		devenv_state_get(saved, sizeof(saved), ctx, key);
		*ready &= strcmp(saved, fp) == 0;
	}
	if (err)
		*ready = 0;
	return err;
}
