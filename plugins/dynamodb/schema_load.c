/* plugins/dynamodb/schema_load.c — ddb.schema-load: create the schema's tables
 * (CreateTable requests as the API takes them) and wait until they are ACTIVE. */
#include <devenv/plugin.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Creates 'table' unless it exists; a table devenv created from another
 * definition is reported, not recreated: that is what a reset is for. */
static int
create(struct devenv_ctx *ctx, json_t *table, int *created)
{
	const char *name = json_string_value(json_object_get(table, "TableName"));
	char *body = json_dumps(table, JSON_COMPACT | JSON_SORT_KEYS), key[512], saved[64], fp[41];
	json_t *resp = NULL;
	long http = 0;
	int err;

	*created = 0;
	snprintf(key, sizeof(key), "ddb.table.%s", name);
	/* The definition's own fingerprint: the canonical JSON's blob id. */
	{
		json_t *req = json_pack("{s:s}", "TableName", name);
		char *probe = json_dumps(req, JSON_COMPACT);

		json_decref(req);
		err = devenv_ddb_call(&resp, &http, ctx, "DescribeTable", probe);
		free(probe);
	}
	devenv_state_get(saved, sizeof(saved), ctx, key);
	devenv_fingerprint_text(fp, body);
	if (!err) {
		json_decref(resp);
		if (saved[0] && strcmp(saved, fp) != 0)
			devenv_warn(ctx,
			            "table %s exists with another definition; devenv reset ddb "
			            "recreates it",
			            name);
		free(body);
		return devenv_ddb_wait_table(ctx, name, 0,
		                             devenv_cfg_int(ctx, "dynamodb", "wait_timeout", 60));
	}
	if (http != 400 || !strstr(devenv_error_last(), "ResourceNotFoundException")) {
		free(body);
		return err;
	}
	err = devenv_ddb_call(&resp, NULL, ctx, "CreateTable", body);
	json_decref(resp);
	free(body);
	if (err)
		return err;
	*created = 1;
	if ((err = devenv_ddb_wait_table(ctx, name, 0,
	                                 devenv_cfg_int(ctx, "dynamodb", "wait_timeout", 60))))
		return err;
	return devenv_state_put(ctx, key, fp);
}

static int
run(struct devenv_ctx *ctx)
{
	json_t *schema = NULL, *table;
	char detail[512] = "";
	size_t i, len = 0;
	int err, created;

	if ((err = devenv_ddb_schema(&schema, ctx)))
		return err;
	json_array_foreach(schema, i, table)
	{
		if ((err = create(ctx, table, &created)))
			break;
		len += (size_t)snprintf(
		        detail + len, len < sizeof(detail) ? sizeof(detail) - len : 0, "%s%s%s",
		        len ? " " : "", json_string_value(json_object_get(table, "TableName")),
		        created ? "" : " (exists)");
	}
	devenv_set_detail(ctx, "%s", json_array_size(schema) ? detail : "(no tables)");
	json_decref(schema);
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "ddb.schema-load",
	.summary = "create the schema's tables and wait until ACTIVE",
	.after = (const char *[]){ "ddb.wait", NULL },
	.section = "dynamodb",
	.run = run,
};
