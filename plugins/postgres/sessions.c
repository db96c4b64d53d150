/* plugins/postgres/sessions.c — pg.sessions: who is connected to the database. */
#include <devenv/plugin.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <stdlib.h>

static int
run(struct devenv_ctx *ctx)
{
	static const char *const cols[] = { "pid",    "user",        "database",
		                            "client", "application", "state" };
	struct pg_conn *admin = devenv_pg_admin(ctx);
	const char *params[] = { devenv_pg_dbname(ctx) };
	json_t *arr;
	PGresult *res;

	if (!admin)
		return devenv_error_set(DEVENV_EFAIL, "%s", devenv_error_last());
	res = PQexecParams(admin,
	                   "SELECT pid::text, coalesce(usename, ''), coalesce(datname, ''), "
	                   "coalesce(host(client_addr), 'local'), coalesce(application_name, ''), "
	                   "coalesce(state, '') FROM pg_stat_activity WHERE datname = $1 "
	                   "AND pid <> pg_backend_pid() ORDER BY backend_start",
	                   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int err = devenv_error_set(DEVENV_EFAIL, "%s", PQresultErrorMessage(res));

		PQclear(res);
		return err;
	}
	arr = json_array();
	if (!devenv_json(ctx))
		devenv_out(ctx, "%-8s %-12s %-16s %-16s %-20s %s\n", "PID", "USER", "DATABASE",
		           "CLIENT", "APPLICATION", "STATE");
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *row = json_object();

		for (int c = 0; c < 6; c++)
			json_object_set_new(row, cols[c], json_string(PQgetvalue(res, i, c)));
		json_array_append_new(arr, row);
		if (!devenv_json(ctx))
			devenv_out(ctx, "%-8s %-12s %-16s %-16s %-20s %s\n", PQgetvalue(res, i, 0),
			           PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			           PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
			           PQgetvalue(res, i, 5));
	}
	if (devenv_json(ctx)) {
		char *s = json_dumps(arr, JSON_INDENT(2));

		devenv_out(ctx, "%s\n", s);
		free(s);
	}
	json_decref(arr);
	PQclear(res);
	return 0;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "pg.sessions",
	.summary = "list the sessions connected to the database",
	.after = (const char *[]){ "pg.wait", NULL },
	.flags = DEVENV_PLUGIN_COMMAND,
	.section = "postgres",
	.run = run,
};
