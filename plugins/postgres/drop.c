/* plugins/postgres/drop.c — pg.drop: empty the database: end its other sessions,
 * drop every schema in it with all it holds, and give it a fresh public schema.
 *
 * Why not DROP DATABASE: the database's own settings and grants survive, and
 * it is many times faster: CREATE DATABASE copies a template (tens to
 * hundreds of milliseconds), which a watcher would pay on every save. What
 * a reset promises, the database as its files describe it and nothing else,
 * holds the same. */
#include <devenv/plugin.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

/* One round trip: a forgotten psql must not make the drop wait or fail. */
static const char empty_sql[] =
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid();"
        "DO $devenv$ DECLARE s name; BEGIN "
        "FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
        "AND nspname <> 'information_schema' LOOP "
        "EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; "
        "PERFORM lo_unlink(oid) FROM pg_largeobject_metadata; "
        "CREATE SCHEMA public; "
        "IF current_setting('server_version_num')::int >= 150000 THEN "
        "ALTER SCHEMA public OWNER TO pg_database_owner; "
        "GRANT USAGE ON SCHEMA public TO PUBLIC; "
        "ELSE GRANT ALL ON SCHEMA public TO PUBLIC; END IF; "
        "COMMENT ON SCHEMA public IS 'standard public schema'; "
        "END $devenv$;";

static int
run(struct devenv_ctx *ctx)
{
	const char *db = devenv_pg_dbname(ctx);
	struct pg_conn *conn;
	PGresult *res;
	int err = 0;

	if (strcmp(db, "postgres") == 0 || strcmp(db, "template1") == 0 ||
	    strcmp(db, "template0") == 0)
		return devenv_error_set(DEVENV_ECONFIG, "will not drop the system database %s", db);
	if (!(conn = devenv_pg(ctx))) {
		/* No database: nothing to drop. */
		if (strstr(devenv_error_last(), "does not exist")) {
			devenv_set_detail(ctx, "%s (missing)", db);
			return 0;
		}
		return devenv_error_set(DEVENV_EFAIL, "%s", devenv_error_last());
	}
	devenv_set_detail(ctx, "%s", db);
	res = PQexec(conn, empty_sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		err = devenv_error_set(DEVENV_EFAIL, "emptying %s: %s", db, PQerrorMessage(conn));
	PQclear(res);
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "pg.drop",
	.summary = "empty the database: end its sessions, drop every schema in it",
	.after = (const char *[]){ "pg.wait", NULL },
	.flags = DEVENV_PLUGIN_DESTRUCTIVE,
	.section = "postgres",
	.run = run,
};
