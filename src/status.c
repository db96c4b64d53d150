/*
 * status.c: what `devenv status` reports: each service (reachable, version,
 * tables and their row or item counts), the last run of each chain, the
 * watcher, and whether everything is ready (seeded and idle). Counts are
 * exact on local targets; elsewhere (production) they are the server's
 * estimates, which cost nothing: an exact count reads the whole table.
 */
#include "status.h"
#include "config.h"
#include "core.h"
#include "hosts.h"
#include "pg.h"
#include "run.h"
#include "state.h"
#include "up.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long
devenv_watcher_pid(struct devenv_state *st)
{
	char *path = xasprintf("%s/devenv.pid", devenv_state_path(st));
	long pid = devenv_pid_file_live(path);

	free(path);
	return pid;
}

static json_t *
pg_report(struct devenv_ctx *ctx)
{
	char shown[1024];
	json_t *j = json_object(), *tables = json_object();
	PGconn *conn;
	PGresult *res;
	int local = 0;

	devenv_url_display(shown, sizeof(shown), devenv_pg_url(ctx) ? devenv_pg_url(ctx) : "");
	json_object_set_new(j, "url", json_string(shown));
	json_object_set_new(j, "database", json_string(devenv_pg_dbname(ctx)));
	if (!(conn = devenv_pg(ctx))) {
		json_object_set_new(j, "reachable", json_false());
		json_object_set_new(j, "error", json_string(devenv_error_last()));
		devenv_error_clear();
		json_decref(tables);
		return j;
	}
	json_object_set_new(j, "reachable", json_true());
	json_object_set_new(j, "version", json_string(PQparameterStatus(conn, "server_version")));
	if (devenv_pg_url_is_local(&local, ctx->run->cfg, devenv_pg_url(ctx)) != 0)
		devenv_error_clear();
	json_object_set_new(j, "counts", json_string(local ? "exact" : "estimated"));
	/* Exact counts where databases are small and estimates mislead;
	 * elsewhere the statistics' live rows (the planner's estimate when the
	 * statistics were reset). */
	res = PQexec(conn,
	             local ? "SELECT format('%I.%I', schemaname, relname), "
	                     "(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) "
	                     "AS c FROM %I.%I', schemaname, relname), false, true, "
	                     "'')))[1]::text FROM pg_stat_user_tables ORDER BY 1"
	                   : "SELECT format('%I.%I', s.schemaname, s.relname), "
	                     "(CASE WHEN s.n_live_tup > 0 OR c.reltuples < 0 THEN s.n_live_tup "
	                     "ELSE c.reltuples END)::bigint::text "
	                     "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
	                     "ORDER BY 1");
	for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++)
		json_object_set_new(tables, PQgetvalue(res, i, 0),
		                    json_integer(strtoll(PQgetvalue(res, i, 1), NULL, 10)));
	PQclear(res);
	json_object_set_new(j, "tables", tables);
	return j;
}

/* A table's item count: locally exact, by Scan COUNT page after page
 * (ItemCount lags); elsewhere DescribeTable's ItemCount, which DynamoDB
 * updates about every six hours, as a Scan would read (and bill) the whole
 * table. */
static int
ddb_count(long long *count, struct devenv_ctx *ctx, json_t *table, int local)
{
	json_t *req = json_pack("{s:O}", "TableName", table), *out = NULL;
	int err = 0;

	*count = 0;
	if (!local) {
		char *body = json_dumps(req, JSON_COMPACT);

		if (!(err = devenv_ddb_call(&out, NULL, ctx, "DescribeTable", body)))
			*count = json_integer_value(
			        json_object_get(json_object_get(out, "Table"), "ItemCount"));
		json_decref(out);
		free(body);
		json_decref(req);
		return err;
	}
	json_object_set_new(req, "Select", json_string("COUNT"));
	do {
		char *body = json_dumps(req, JSON_COMPACT);

		out = NULL;
		err = devenv_ddb_call(&out, NULL, ctx, "Scan", body);
		free(body);
		if (err)
			break;
		*count += json_integer_value(json_object_get(out, "Count"));
		json_object_set(req, "ExclusiveStartKey", json_object_get(out, "LastEvaluatedKey"));
		if (!json_object_get(out, "LastEvaluatedKey"))
			json_object_del(req, "ExclusiveStartKey");
		json_decref(out);
	} while (json_object_get(req, "ExclusiveStartKey"));
	json_decref(req);
	return err;
}

static json_t *
ddb_report(struct devenv_ctx *ctx)
{
	json_t *j = json_object(), *tables = json_object(), *schema = NULL, *t, *out = NULL;
	const char *endpoint = devenv_ddb_endpoint(ctx);
	int local = devenv_endpoint_is_local(ctx->run->cfg, endpoint ? endpoint : "");
	size_t i;

	json_object_set_new(j, "endpoint", json_string(endpoint));
	if (devenv_ddb_call(&out, NULL, ctx, "ListTables", "{}") != 0) {
		json_object_set_new(j, "reachable", json_false());
		json_object_set_new(j, "error", json_string(devenv_error_last()));
		devenv_error_clear();
		json_decref(tables);
		return j;
	}
	json_decref(out);
	json_object_set_new(j, "reachable", json_true());
	json_object_set_new(j, "counts", json_string(local ? "exact" : "estimated"));
	if (devenv_ddb_schema(&schema, ctx) != 0)
		devenv_error_clear();
	json_array_foreach(schema, i, t)
	{
		long long count;
		int err = ddb_count(&count, ctx, json_object_get(t, "TableName"), local);

		json_object_set_new(tables, json_string_value(json_object_get(t, "TableName")),
		                    err ? json_null() : json_integer(count));
		if (err)
			devenv_error_clear();
	}
	json_decref(schema);
	json_object_set_new(j, "tables", tables);
	return j;
}

static json_t *
last_run(struct devenv_ctx *ctx, const char *family)
{
	char key[64], text[1024];

	snprintf(key, sizeof(key), "last.%s", family);
	devenv_state_get(text, sizeof(text), ctx, key);
	return text[0] ? json_loads(text, 0, NULL) : json_null();
}

int
devenv_status_report(json_t **out, struct devenv_run *run)
{
	struct devenv_ctx ctx = { .run = run };
	json_t *j = json_object();
	long watcher = devenv_watcher_pid(run->state);
	int ready = 0, err;

	json_object_set_new(j, "root", json_string(run->root));
	json_object_set_new(j, "config", json_string(devenv_config_path(run->cfg)));
	json_object_set_new(j, "env", json_string(devenv_config_env(run->cfg)));
	json_object_set_new(j, "protected", json_boolean(devenv_config_protected(run->cfg)));
	json_object_set_new(j, "state_dir", json_string(devenv_state_path(run->state)));
	json_object_set_new(j, "watcher", watcher ? json_integer(watcher) : json_null());
	if (devenv_config_has(run->cfg, "postgres")) {
		json_t *pg = pg_report(&ctx);

		json_object_set_new(pg, "last_run", last_run(&ctx, "pg"));
		json_object_set_new(j, "postgres", pg);
	}
	if (devenv_config_has(run->cfg, "dynamodb")) {
		json_t *ddb = ddb_report(&ctx);

		json_object_set_new(ddb, "last_run", last_run(&ctx, "ddb"));
		json_object_set_new(j, "dynamodb", ddb);
	}
	/* Through the same connections as the reports above. */
	err = devenv_up_ready(&ctx, &ready);
	devenv_ctx_release(&ctx);
	if (err)
		devenv_error_clear();
	json_object_set_new(j, "ready", json_boolean(ready));
	json_object_set_new(j, "run_in_progress", json_boolean(devenv_state_busy(run->state)));
	*out = j;
	return 0;
}
