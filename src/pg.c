/*
 * pg.c: PostgreSQL connections for plugins: the URL in force, opened once
 * per plugin, notices routed to the log, errors with the server's fields
 * and never the password.
 */
#include "pg.h"
#include "core.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
on_notice(void *arg, const char *message)
{
	struct devenv_ctx *ctx = arg;
	size_t n = strlen(message);

	while (n > 0 && message[n - 1] == '\n')
		n--;
	devenv_log(ctx, strncmp(message, "WARNING", 7) == 0 ? DEVENV_LOG_WARN : DEVENV_LOG_DEBUG,
	           "%.*s", (int)n, message);
}

void
devenv_pg_secrets(const char *url)
{
	PQconninfoOption *opts;

	if (!url || !*url)
		return;
	devenv_secret_add_url(url);
	/* ?password=, key=value strings: whatever form libpq reads. */
	if ((opts = PQconninfoParse(url, NULL))) {
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
				devenv_secret_add(o->val);
		PQconninfoFree(opts);
	}
}

const char *
devenv_pg_dbname(struct devenv_ctx *ctx)
{
	const char *url = devenv_pg_url(ctx);
	PQconninfoOption *opts;

	if (ctx->pg_dbname[0])
		return ctx->pg_dbname;
	snprintf(ctx->pg_dbname, sizeof(ctx->pg_dbname), "postgres");
	if (url && (opts = PQconninfoParse(url, NULL))) {
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (strcmp(o->keyword, "dbname") == 0 && o->val && *o->val)
				snprintf(ctx->pg_dbname, sizeof(ctx->pg_dbname), "%s", o->val);
			else if (strcmp(o->keyword, "user") == 0 && o->val && *o->val &&
			         strcmp(ctx->pg_dbname, "postgres") == 0)
				/* libpq's default database is the user's name. */
				snprintf(ctx->pg_dbname, sizeof(ctx->pg_dbname), "%s", o->val);
		PQconninfoFree(opts);
	}
	return ctx->pg_dbname;
}

static PGconn *
connect_to(struct devenv_ctx *ctx, const char *dbname)
{
	const char *url = devenv_pg_url(ctx);
	const char *keys[] = { "dbname", "dbname", "application_name", NULL };
	const char *vals[] = { url, dbname, "devenv", NULL };
	char shown[1024];
	PGconn *conn;

	if (!url || !*url) {
		devenv_error_set(DEVENV_ECONFIG, "no PostgreSQL URL for environment %s%s",
		                 devenv_env(ctx),
		                 strcmp(devenv_env(ctx), "prod") == 0 ? " (set prod_url)" : "");
		return NULL;
	}
	if (!dbname) {
		keys[1] = "application_name";
		vals[1] = "devenv";
		keys[2] = NULL;
	}
	devenv_pg_secrets(url);
	conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		const char *msg = conn ? PQerrorMessage(conn) : "out of memory";
		size_t n = strlen(msg);

		while (n > 0 && msg[n - 1] == '\n')
			n--;
		devenv_url_display(shown, sizeof(shown), url);
		devenv_error_set(DEVENV_EFAIL, "cannot connect to %s%s%s: %.*s", shown,
		                 dbname ? " database " : "", dbname ? dbname : "", (int)n, msg);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, on_notice, ctx);
	return conn;
}

struct pg_conn *
devenv_pg(struct devenv_ctx *ctx)
{
	if (!ctx->pg)
		ctx->pg = connect_to(ctx, NULL);
	return ctx->pg;
}

struct pg_conn *
devenv_pg_admin(struct devenv_ctx *ctx)
{
	/* The maintenance database, unless the target is it. */
	if (!ctx->pg_admin)
		ctx->pg_admin = connect_to(ctx, strcmp(devenv_pg_dbname(ctx), "postgres") == 0
		                                        ? "template1"
		                                        : "postgres");
	return ctx->pg_admin;
}

void
devenv_pg_release(struct devenv_ctx *ctx)
{
	PQfinish(ctx->pg);
	PQfinish(ctx->pg_admin);
	ctx->pg = ctx->pg_admin = NULL;
}

int
devenv_pg_result_error(const PGresult *res, PGconn *conn, const char *file, int line, int col)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *sev = res ? PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED) : NULL;
	char text[2048];
	int code = DEVENV_EDATA;

	/* The server or the connection failing is not the file's fault. */
	if (!state || strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strncmp(state, "57", 2) == 0 || strncmp(state, "58", 2) == 0 ||
	    strncmp(state, "XX", 2) == 0)
		code = DEVENV_EFAIL;
	if (!msg) {
		const char *m = conn ? PQerrorMessage(conn) : "unknown error";
		size_t n = strlen(m);

		while (n > 0 && m[n - 1] == '\n')
			n--;
		snprintf(text, sizeof(text), "%.*s", (int)n, m);
		msg = text;
		if (conn && PQstatus(conn) == CONNECTION_BAD)
			msg = "the connection to the server was lost";
	}
	return devenv_error_set_at(code, file, line, col, "%s: %s%s%s%s%s", sev ? sev : "ERROR",
	                           msg, detail ? "\nDETAIL: " : "", detail ? detail : "",
	                           hint ? "\nHINT: " : "", hint ? hint : "");
}

int
devenv_pg_exec(struct devenv_ctx *ctx, struct pg_conn *conn, const char *sql, int n,
               const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	int err = 0;

	(void)ctx;
	/* An administrative statement failing (no CREATEDB, say) is no bad
	 * data in a file: exit 1, not 65. */
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		devenv_pg_result_error(res, conn, NULL, 0, 0);
		err = devenv_error_set(DEVENV_EFAIL, "%s", devenv_error_last());
	}
	PQclear(res);
	return err;
}

int
devenv_pg_has_tables(int *yes, struct devenv_ctx *ctx)
{
	struct pg_conn *conn = devenv_pg(ctx);
	PGresult *res;

	*yes = 0;
	if (!conn)
		return devenv_error_code() ? devenv_error_code() : DEVENV_EFAIL;
	res = PQexec(conn, "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = "
	                   "c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN "
	                   "('pg_catalog', 'information_schema') AND n.nspname NOT LIKE "
	                   "'pg\\_toast%' LIMIT 1");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int err = devenv_pg_result_error(res, conn, NULL, 0, 0);

		PQclear(res);
		return err;
	}
	*yes = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}
