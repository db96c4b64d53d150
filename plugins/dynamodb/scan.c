/* plugins/dynamodb/scan.c — ddb.scan: print a table's items, page after page
 * (following LastEvaluatedKey), as JSON lines or, with --json, one array. */
#include <devenv/plugin.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int
run(struct devenv_ctx *ctx)
{
	const char *const *argv = devenv_argv(ctx);
	const char *table = NULL;
	long limit = -1, shown = 0;
	json_t *req, *resp = NULL, *all, *item;
	int argc = devenv_argc(ctx), err = 0;
	size_t i;

	for (int a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--limit") == 0 && a + 1 < argc) {
			char *end;

			limit = strtol(argv[++a], &end, 10);
			if (*end || limit < 0)
				return devenv_error_set(DEVENV_EUSAGE,
				                        "--limit takes a whole number");
		} else if (!table && argv[a][0] != '-') {
			table = argv[a];
		} else {
			return devenv_error_set(DEVENV_EUSAGE,
			                        "usage: devenv ddb scan TABLE [--limit N]");
		}
	}
	if (!table)
		return devenv_error_set(DEVENV_EUSAGE, "usage: devenv ddb scan TABLE [--limit N]");
	all = json_array();
	req = json_pack("{s:s}", "TableName", table);
	do {
		char *body;

		if (limit >= 0)
			json_object_set_new(req, "Limit",
			                    json_integer(limit - shown > 0 ? limit - shown : 1));
		body = json_dumps(req, JSON_COMPACT);
		json_decref(resp);
		resp = NULL;
		err = devenv_ddb_call(&resp, NULL, ctx, "Scan", body);
		free(body);
		if (err)
			break;
		json_array_foreach(json_object_get(resp, "Items"), i, item)
		{
			if (limit >= 0 && shown >= limit)
				break;
			shown++;
			if (devenv_json(ctx)) {
				json_array_append(all, item);
			} else {
				char *s = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS);

				devenv_out(ctx, "%s\n", s);
				free(s);
			}
		}
		if (json_object_get(resp, "LastEvaluatedKey"))
			json_object_set(req, "ExclusiveStartKey",
			                json_object_get(resp, "LastEvaluatedKey"));
	} while (json_object_get(resp, "LastEvaluatedKey") && (limit < 0 || shown < limit));
	if (!err && devenv_json(ctx)) {
		char *s = json_dumps(all, JSON_INDENT(2));

		devenv_out(ctx, "%s\n", s);
		free(s);
	}
	json_decref(resp);
	json_decref(req);
	json_decref(all);
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "ddb.scan",
	.summary = "print a table's items, following every page",
	.after = (const char *[]){ "ddb.wait", NULL },
	.flags = DEVENV_PLUGIN_COMMAND,
	.section = "dynamodb",
	.run = run,
};
