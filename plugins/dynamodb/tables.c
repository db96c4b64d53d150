/* plugins/dynamodb/tables.c — ddb.tables: list the tables, with status and item counts. */
#include <devenv/plugin.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static int
run(struct devenv_ctx *ctx)
{
	json_t *all = json_array(), *resp = NULL, *name;
	const char *last = NULL;
	char body[1200];
	size_t i;
	int err = 0;

	do {
		snprintf(body, sizeof(body), last ? "{\"ExclusiveStartTableName\":\"%s\"}" : "{}",
		         last);
		json_decref(resp);
		if ((err = devenv_ddb_call(&resp, NULL, ctx, "ListTables", body)))
			goto out;
		json_array_foreach(json_object_get(resp, "TableNames"), i, name)
		{
			json_t *req = json_pack("{s:O}", "TableName", name), *d = NULL, *t;
			char *b = json_dumps(req, JSON_COMPACT);

			json_decref(req);
			err = devenv_ddb_call(&d, NULL, ctx, "DescribeTable", b);
			free(b);
			if (err)
				goto out;
			t = json_object_get(d, "Table");
			json_array_append_new(all,
			                      json_pack("{s:O, s:O*, s:O*}", "name", name, "status",
			                                json_object_get(t, "TableStatus"), "items",
			                                json_object_get(t, "ItemCount")));
			json_decref(d);
		}
		last = json_string_value(json_object_get(resp, "LastEvaluatedTableName"));
	} while (last);
	if (devenv_json(ctx)) {
		char *s = json_dumps(all, JSON_INDENT(2));

		devenv_out(ctx, "%s\n", s);
		free(s);
	} else {
		json_t *t;

		json_array_foreach(all, i, t)
		        devenv_out(ctx, "%-40s %-10s %lld items\n",
		                   json_string_value(json_object_get(t, "name")),
		                   json_string_value(json_object_get(t, "status")),
		                   json_integer_value(json_object_get(t, "items")));
	}
out:
	json_decref(resp);
	json_decref(all);
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "ddb.tables",
	.summary = "list the tables with status and item counts",
	.after = (const char *[]){ "ddb.wait", NULL },
	.flags = DEVENV_PLUGIN_COMMAND,
	.section = "dynamodb",
	.run = run,
};
