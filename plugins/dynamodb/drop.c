/* plugins/dynamodb/drop.c — ddb.drop: delete the schema's tables (only those)
 * and wait until they are gone. */
#include <devenv/plugin.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
run(struct devenv_ctx *ctx)
{
	json_t *schema = NULL, *table;
	char detail[512] = "";
	size_t i, len = 0;
	int err;

	if ((err = devenv_ddb_schema(&schema, ctx)))
		return err;
	json_array_foreach(schema, i, table)
	{
		const char *name = json_string_value(json_object_get(table, "TableName"));
		json_t *req = json_pack("{s:s}", "TableName", name), *resp = NULL;
		char *body = json_dumps(req, JSON_COMPACT), key[512];
		long http = 0;

		json_decref(req);
		err = devenv_ddb_call(&resp, &http, ctx, "DeleteTable", body);
		free(body);
		json_decref(resp);
		if (err && http == 400 && strstr(devenv_error_last(), "ResourceNotFoundException"))
			err = 0; /* already gone */
		if (!err)
			err = devenv_ddb_wait_table(
			        ctx, name, 1, devenv_cfg_int(ctx, "dynamodb", "wait_timeout", 60));
		if (err)
			break;
		snprintf(key, sizeof(key), "ddb.table.%s", name);
		devenv_state_put(ctx, key, NULL);
		len += (size_t)snprintf(detail + len,
		                        len < sizeof(detail) ? sizeof(detail) - len : 0, "%s%s",
		                        len ? " " : "", name);
	}
	devenv_set_detail(ctx, "%s", detail);
	json_decref(schema);
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "ddb.drop",
	.summary = "delete the schema's tables and wait until gone",
	.after = (const char *[]){ "ddb.wait", NULL },
	.flags = DEVENV_PLUGIN_DESTRUCTIVE,
	.section = "dynamodb",
	.run = run,
};
