/*
 * plugins/cruddur/conversation.c — cruddur.conversation: the Cruddur message
 * seed. Reads `Person 1: text` / `Person 2: text` lines, looks both users up
 * in PostgreSQL by handle, and writes the Cruddur item model: two GRP#<user>
 * group items and one MSG#<group> item per line, a minute apart from a day
 * ago. The file is checked whole before anything is written; a rerun
 * replaces the conversation it wrote before.
 */
#include <devenv/plugin.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

struct user {
	char uuid[64];
	char display_name[256];
	char handle[256];
};

struct line {
	int person; /* 1 or 2 */
	char *text;
};

/* Reads and checks the file: every line is a person's message. */
static int
parse(struct line **out, size_t *n, const char *path, const char *shown)
{
	FILE *f = fopen(path, "r");
	struct stat sb;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, err = 0;

	*out = NULL;
	*n = 0;
	if (!f)
		return devenv_error_set_at(DEVENV_EDATA, shown, 0, 0, "cannot open: %s",
		                           strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return devenv_error_set_at(DEVENV_EDATA, shown, 0, 0, "is a directory, not a file");
	}
	while ((len = getline(&buf, &cap, f)) >= 0) {
		int person = 0;

		lineno++;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if ((size_t)len != strlen(buf) || !devenv_utf8_valid(buf, (size_t)len)) {
			err = devenv_error_set_at(DEVENV_EDATA, shown, lineno, 0,
			                          "not valid UTF-8 text");
			break;
		}
		if (strncmp(buf, "Person 1: ", 10) == 0)
			person = 1;
		else if (strncmp(buf, "Person 2: ", 10) == 0)
			person = 2;
		/* A message item must fit DynamoDB's 400 KB, with room for the rest. */
		if (len > 380 * 1024) {
			err = devenv_error_set_at(
			        DEVENV_EDATA, shown, lineno, 0,
			        "the message is longer than a DynamoDB item may be "
			        "(400 KB)");
			break;
		}
		if (!person || len == 10) {
			err = devenv_error_set_at(DEVENV_EDATA, shown, lineno, 1,
			                          "expected 'Person 1: text' or 'Person 2: text'");
			break;
		}
		*out = realloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n].person = person;
		(*out)[(*n)++].text = strdup(buf + 10);
	}
	if (!err && *n == 0)
		err = devenv_error_set_at(DEVENV_EDATA, shown, 0, 0, "the conversation is empty");
	free(buf);
	fclose(f);
	return err;
}

static int
find_user(struct user *u, struct devenv_ctx *ctx, struct pg_conn *conn, const char *key)
{
	const char *handle = devenv_cfg_get(ctx, "conversation", key);
	const char *params[] = { handle };
	PGresult *res;
	int err = 0;

	if (!handle || !*handle)
		return devenv_error_set(DEVENV_ECONFIG, "[conversation] needs %s", key);
	res = PQexecParams(conn,
	                   "SELECT uuid::text, display_name, handle FROM public.users "
	                   "WHERE handle = $1 LIMIT 1",
	                   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		err = devenv_error_set(DEVENV_EFAIL, "looking up %s: %s", handle,
		                       PQresultErrorMessage(res));
	else if (PQntuples(res) == 0)
		err = devenv_error_set(
		        DEVENV_EDATA,
		        "no user with handle '%s' ([conversation] %s) in public.users", handle,
		        key);
	else {
		snprintf(u->uuid, sizeof(u->uuid), "%s", PQgetvalue(res, 0, 0));
		snprintf(u->display_name, sizeof(u->display_name), "%s", PQgetvalue(res, 0, 1));
		snprintf(u->handle, sizeof(u->handle), "%s", PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	return err;
}

/* ISO-8601 in UTC with microseconds, as Python's isoformat() writes it. */
static void
iso8601(char *out, size_t n, struct timespec ts)
{
	struct tm tm;
	char base[32];

	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%06ld+00:00", base, ts.tv_nsec / 1000);
}

/* Formats 16 bytes as a UUID of 'version'. */
static void
uuid_format(char out[37], unsigned char b[16], int version)
{
	b[6] = (unsigned char)((b[6] & 0x0F) | (version << 4));
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

static void
uuid_random(char out[37])
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	uuid_format(out, b, 4);
}

/* The group's uuid follows from its two users' handles, which survive a
 * reset of PostgreSQL (their uuids do not), so a rerun finds its items. */
static void
uuid_of_pair(char out[37], const struct user *a, const struct user *b)
{
	unsigned char bytes[16];
	char text[600], hex[41];

	snprintf(text, sizeof(text), "cruddur message group %s %s", a->handle, b->handle);
	devenv_fingerprint_text(hex, text);
	for (int i = 0; i < 16; i++)
		sscanf(hex + 2 * i, "%2hhx", &bytes[i]);
	uuid_format(out, bytes, 5);
}

static json_t *
put(json_t *item)
{
	return json_pack("{s:{s:o}}", "PutRequest", "Item", item);
}

static json_t *
group_item(const struct user *owner, const struct user *other, const char *group, const char *at,
           const char *message)
{
	char pk[128];

	snprintf(pk, sizeof(pk), "GRP#%s", owner->uuid);
	return put(json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}",
	                     "pk", "S", pk, "sk", "S", at, "message_group_uuid", "S", group,
	                     "message", "S", message, "user_uuid", "S", other->uuid,
	                     "user_display_name", "S", other->display_name, "user_handle", "S",
	                     other->handle));
}

/* Adds a DeleteRequest for pk/sk unless one is there: a batch may not name
 * a key twice. */
static void
add_delete(json_t *deletes, json_t *pk, json_t *sk)
{
	json_t *d;
	size_t i;

	json_array_foreach(deletes, i, d)
	{
		json_t *key = json_object_get(json_object_get(d, "DeleteRequest"), "Key");

		if (json_equal(json_object_get(key, "pk"), pk) &&
		    json_equal(json_object_get(key, "sk"), sk))
			return;
	}
	json_array_append_new(deletes, json_pack("{s:{s:{s:O, s:O}}}", "DeleteRequest", "Key", "pk",
	                                         pk, "sk", sk));
}

/* Deletes for what an earlier run wrote for this group: its messages and
 * the two users' group items pointing at it. */
static int
previous(json_t *deletes, struct devenv_ctx *ctx, const char *table, const char *pk,
         const char *group)
{
	json_t *req =
	        json_pack("{s:s, s:s, s:{s:{s:s}}, s:s}", "TableName", table,
	                  "KeyConditionExpression", "pk = :pk", "ExpressionAttributeValues", ":pk",
	                  "S", pk, "ProjectionExpression", "pk, sk, message_group_uuid");
	json_t *resp = NULL, *item;
	int err = 0;
	size_t i;

	do {
		char *body = json_dumps(req, JSON_COMPACT);

		json_decref(resp);
		resp = NULL;
		err = devenv_ddb_call(&resp, NULL, ctx, "Query", body);
		free(body);
		if (err)
			break;
		json_array_foreach(json_object_get(resp, "Items"), i, item)
		{
			const char *g = json_string_value(
			        json_object_get(json_object_get(item, "message_group_uuid"), "S"));

			if (strncmp(pk, "GRP#", 4) == 0 && (!g || strcmp(g, group) != 0))
				continue;
			add_delete(deletes, json_object_get(item, "pk"),
			           json_object_get(item, "sk"));
		}
		if (json_object_get(resp, "LastEvaluatedKey"))
			json_object_set(req, "ExclusiveStartKey",
			                json_object_get(resp, "LastEvaluatedKey"));
	} while (json_object_get(resp, "LastEvaluatedKey"));
	json_decref(resp);
	json_decref(req);
	return err;
}

/* Writes the write requests 'list' for 'table'. */
static int
write_requests(struct devenv_ctx *ctx, const char *table, json_t *list, size_t *written)
{
	struct devenv_ddb_writes *w = devenv_ddb_writes_new();
	json_t *ri = json_pack("{s:O}", table, list);
	int err = devenv_ddb_writes_add(w, ri);

	json_decref(ri);
	if (!err)
		err = devenv_ddb_write(ctx, w, written);
	devenv_ddb_writes_free(w);
	return err;
}

static int
run(struct devenv_ctx *ctx)
{
	const char *file = devenv_cfg_get(ctx, "conversation", "file");
	const char *table = devenv_cfg_get(ctx, "conversation", "table");
	struct line *lines = NULL;
	struct user me, other;
	struct pg_conn *conn;
	struct timespec now;
	json_t *puts = json_array(), *deletes = json_array();
	char group[37], at[64], pk[128];
	size_t n = 0, written = 0;
	int err;

	if (!file || !*file) {
		json_decref(puts);
		json_decref(deletes);
		return devenv_error_set(DEVENV_ECONFIG, "[conversation] needs file");
	}
	devenv_set_detail(ctx, "%s", devenv_path_display(ctx, file));
	/* The whole file first: a bad line means nothing is written. */
	if ((err = parse(&lines, &n, file, devenv_path_display(ctx, file))))
		goto out;
	if (!(conn = devenv_pg(ctx))) {
		err = devenv_error_set(DEVENV_EFAIL, "%s", devenv_error_last());
		goto out;
	}
	if ((err = find_user(&me, ctx, conn, "my_handle")) ||
	    (err = find_user(&other, ctx, conn, "other_handle")))
		goto out;
	uuid_of_pair(group, &me, &other);
	clock_gettime(CLOCK_REALTIME, &now);
	iso8601(at, sizeof(at), now);
	json_array_append_new(puts, group_item(&me, &other, group, at, lines[n - 1].text));
	json_array_append_new(puts, group_item(&other, &me, group, at, lines[n - 1].text));
	/* Every item must have been made: a missing one would go unnoticed. */
	if (json_array_size(puts) != 2) {
		err = devenv_error_set(DEVENV_EDATA, "the users' names cannot be stored as text");
		goto out;
	}
	snprintf(pk, sizeof(pk), "MSG#%s", group);
	for (size_t i = 0; i < n; i++) {
		const struct user *from = lines[i].person == 1 ? &me : &other;
		struct timespec t = { now.tv_sec - 86400 + (time_t)i * 60, now.tv_nsec };
		char sk[64], id[37];

		iso8601(sk, sizeof(sk), t);
		uuid_random(id);
		json_array_append_new(
		        puts,
		        put(json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, "
		                      "s:{s:s}}",
		                      "pk", "S", pk, "sk", "S", sk, "message_uuid", "S", id,
		                      "message", "S", lines[i].text, "user_uuid", "S", from->uuid,
		                      "user_display_name", "S", from->display_name, "user_handle",
		                      "S", from->handle)));
		if (json_array_size(puts) != i + 3) {
			err = devenv_error_set_at(DEVENV_EDATA, devenv_path_display(ctx, file),
			                          (int)i + 1, 1,
			                          "this message cannot be stored as text");
			goto out;
		}
	}
	if ((err = previous(deletes, ctx, table, pk, group)))
		goto out;
	/* The group items an earlier run wrote, under users' old uuids too. */
	{
		char saved[4096];
		json_t *keys, *k;
		size_t i;

		devenv_state_get(saved, sizeof(saved), ctx, "cruddur.conversation.groups");
		keys = saved[0] ? json_loads(saved, 0, NULL) : NULL;
		json_array_foreach(keys, i, k)
		{
			json_t *pkv = json_pack("{s:O}", "S", json_array_get(k, 0));
			json_t *skv = json_pack("{s:O}", "S", json_array_get(k, 1));

			add_delete(deletes, pkv, skv);
			json_decref(pkv);
			json_decref(skv);
		}
		json_decref(keys);
	}
	snprintf(pk, sizeof(pk), "GRP#%s", me.uuid);
	if ((err = previous(deletes, ctx, table, pk, group)))
		goto out;
	snprintf(pk, sizeof(pk), "GRP#%s", other.uuid);
	if ((err = previous(deletes, ctx, table, pk, group)))
		goto out;
	if (json_array_size(deletes)) {
		err = write_requests(ctx, table, deletes, NULL);
		if (err)
			goto out;
	}
	err = write_requests(ctx, table, puts, &written);
	if (!err) {
		char pk_me[128], pk_other[128], *text;
		json_t *groups;

		snprintf(pk_me, sizeof(pk_me), "GRP#%s", me.uuid);
		snprintf(pk_other, sizeof(pk_other), "GRP#%s", other.uuid);
		groups = json_pack("[[s,s],[s,s]]", pk_me, at, pk_other, at);
		text = json_dumps(groups, JSON_COMPACT);
		devenv_state_put(ctx, "cruddur.conversation.groups", text);
		free(text);
		json_decref(groups);
	}
	devenv_set_detail(ctx, "%s: %zu messages, 2 groups", devenv_path_display(ctx, file), n);
out:
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
	json_decref(puts);
	json_decref(deletes);
	return err;
}

const struct devenv_plugin devenv_plugin = {
	.abi = DEVENV_PLUGIN_ABI,
	.name = "cruddur.conversation",
	.summary = "seed the Cruddur conversation (users from PostgreSQL)",
	.after = (const char *[]){ "pg.seed", "ddb.schema-load", NULL },
	.section = "conversation",
	.run = run,
};
