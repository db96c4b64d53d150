/*
 * ddb_seed.c: DynamoDB seed files, read and checked whole before the first
 * write: a bad item anywhere means nothing is written. jansson parses each
 * write request (or export line) on its own, and the request is kept as the
 * bytes the file holds; a long file is read by one thread per CPU, with the
 * same result, error and message as a reading in one go.
 */
#include "core.h"
#include "ddb.h"
#include "ddb_item.h"
#include "run.h"

#include <libgen.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where a write request stands: a line (.jsonl) or the table's index (.json). */
struct place {
	const char *shown;
	int line; /* 0: use the index */
	size_t index;
	const char *table;
};

/* What one seed run adds to and checks against. */
struct seed {
	struct devenv_ddb_writes *w;
	json_t *seen;        /* table+key -> where first seen (file << 32 | line or index) */
	const json_t *files; /* the files' names as shown, by number */
	size_t file;         /* the number of the file being read */
	const json_t *schema;
	const char *shown; /* the file being read */
	const char *text;
	size_t len;
	int *cancel; /* a part's: set when its reading is no longer wanted */
};

static int fail_at(const struct place *p, const char *fmt, ...) DEVENV_PRINTF(2, 3);

/* Whether this reading (a part's) is no longer wanted. */
static int
cancelled(const struct seed *s)
{
	return s->cancel && __atomic_load_n(s->cancel, __ATOMIC_RELAXED);
}

/* The bytes jansson read (json_error_t.position, an int) after a value
 * that started at 'off', checked. */
static size_t
value_end(const struct seed *s, size_t off, const json_error_t *je)
{
	if (je->position <= 0 || (size_t)je->position > s->len - off)
		abort(); /* a value of 2 GiB or more: jansson cannot say where it ends */
	return off + (size_t)je->position;
}

/* Sets the error "FILE:LINE: msg" or "FILE: TABLE[INDEX]: msg". */
static int
fail_at(const struct place *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line)
		return devenv_error_set_at(DEVENV_EDATA, p->shown, p->line, 0, "%s", msg);
	return devenv_error_set_at(DEVENV_EDATA, p->shown, 0, 0, "%s[%zu]: %s", p->table, p->index,
	                           msg);
}

/* A syntax error at byte 'off': "FILE:LINE:COL: what". */
static int
syntax_at(const struct seed *s, size_t off, const char *what)
{
	int line, col;

	devenv_text_position(s->text, off, &line, &col);
	return devenv_error_set_at(DEVENV_EDATA, s->shown, line, col, "%s%s", what,
	                           off < s->len ? "" : ", found the end of the file");
}

/* jansson's error for a value that starts at byte 'start', placed in the
 * whole file. */
static int
json_fail_at(const struct seed *s, size_t start, const json_error_t *je)
{
	int line, col;

	devenv_text_position(s->text, start, &line, &col);
	if (je->line > 1) {
		line += je->line - 1;
		col = je->column;
	} else if (je->line == 1) {
		col += je->column - 1;
	}
	return devenv_error_set_at(DEVENV_EDATA, s->shown, line, col, "%s", je->text);
}

/* The files seen so far, kept in 'seen' under a key no item key can have. */
#define FILES_KEY "\x1d"

/* Checks an item (or a DeleteRequest's key) and adds its request, whose
 * JSON text is 'text'. */
static int
add_item(struct seed *s, const json_t *item, const char *text, size_t len, int put_wrap,
         const struct place *p)
{
	const json_t *def = devenv_ddb_find_table(s->schema, p->table);
	json_t *first;
	char why[1024], *key, *id;

	if (!def)
		return fail_at(p, "table '%s' is not in the [dynamodb] schema", p->table);
	if (devenv_ddb_check_item(item, def, why, sizeof(why)) != 0)
		return fail_at(p, "%s", why);
	key = devenv_ddb_item_key(item, def);
	id = xasprintf("%s\x1f%s", p->table, key);
	free(key);
	/* BatchWriteItem refuses a key twice in one request; a seed holding a
	 * key twice is a mistake either way. */
	if ((first = json_object_get(s->seen, id))) {
		json_int_t at = json_integer_value(first);
		const char *fname = json_string_value(json_array_get(s->files, (size_t)(at >> 32)));
		long pos = (long)(at & 0xffffffff);

		free(id);
		if (p->line)
			return fail_at(p, "the same key as %s:%ld", fname, pos);
		return fail_at(p, "the same key as %s %s[%ld]", fname, p->table, pos);
	}
	json_object_set_new_nocheck(
	        s->seen, id,
	        json_integer((json_int_t)s->file << 32 |
	                     (json_int_t)(p->line ? (size_t)p->line : p->index)));
	free(id);
	devenv_ddb_writes_push(s->w, devenv_ddb_writes_table(s->w, p->table), text, len, put_wrap);
	return 0;
}

/* DynamoDB export lines, one {"Item": {...}} each, for 'table': those from
 * byte 'off' (a line's start) up to 'limit', the first being line 'line'.
 * '*lines' counts the lines read. */
static int
read_lines(struct seed *s, size_t off, size_t limit, int line, const char *table, size_t *lines)
{
	const char *text = s->text;
	int err = 0;

	*lines = 0;
	for (; off < limit && !err && !cancelled(s); line++, ++*lines) {
		const char *nl = memchr(text + off, '\n', limit - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : limit - off;
		json_error_t je;
		json_t *j;

		if (n == 0 || (n == 1 && text[off] == '\r')) {
			off += n + 1;
			continue;
		}
		j = json_loadb(text + off, n, JSON_REJECT_DUPLICATES, &je);
		if (!j)
			return devenv_error_set_at(DEVENV_EDATA, s->shown, line, je.column, "%s",
			                           je.text);
		if (!json_is_object(j) || json_object_size(j) != 1 ||
		    !json_is_object(json_object_get(j, "Item")))
			err = devenv_error_set_at(DEVENV_EDATA, s->shown, line, 0,
			                          "expected {\"Item\": {...}} (a DynamoDB export "
			                          "line)");
		else
			err = add_item(
			        s, json_object_get(j, "Item"), text + off, n, 1,
			        &(struct place){ .shown = s->shown, .line = line, .table = table });
		json_decref(j);
		off += n + 1;
	}
	return err;
}

static size_t
skip_space(const struct seed *s, size_t off)
{
	while (off < s->len && (s->text[off] == ' ' || s->text[off] == '\t' ||
	                        s->text[off] == '\n' || s->text[off] == '\r'))
		off++;
	return off;
}

/* Whether the file has 'c' at 'off'. */
static int
at(const struct seed *s, size_t off, char c)
{
	return off < s->len && s->text[off] == c;
}

/* Reads write requests from 'off' (a request's '{') on, numbered from
 * 'index', until the list's ']' (then '*end' is the offset after it and
 * '*stop' is 'nstops') or until it arrives exactly at one of the ascending
 * offsets 'stops' (then '*stop' is its number and '*end' that offset). Each
 * request is parsed alone (jansson stops after it and says where),
 * checked, and kept as the bytes it was written as. '*count' counts them. */
static int
read_requests(struct seed *s, size_t off, const char *table, size_t index, const size_t *stops,
              size_t nstops, size_t *stop, size_t *end, size_t *count)
{
	size_t k = 0;
	int err = 0;

	*count = 0;
	for (;;) {
		struct place p = { .shown = s->shown, .index = index, .table = table };
		json_error_t je;
		json_t *req, *put, *del, *item;
		size_t start = off;

		if (cancelled(s))
			return DEVENV_ECANCELLED;
		if (at(s, off, ']'))
			return syntax_at(s, off, "expected a write request after ','");
		if (!at(s, off, '{'))
			return off < s->len
			               ? fail_at(&p, "expected {\"PutRequest\": {\"Item\": {...}}} "
			                             "or {\"DeleteRequest\": {\"Key\": {...}}}")
			               : syntax_at(s, off, "a write request expected");
		req = json_loadb(s->text + off, s->len - off,
		                 JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &je);
		if (!req)
			return json_fail_at(s, start, &je);
		off = value_end(s, off, &je);
		put = json_object_get(req, "PutRequest");
		del = json_object_get(req, "DeleteRequest");
		item = put   ? json_object_get(put, "Item")
		       : del ? json_object_get(del, "Key")
		             : NULL;
		if (json_object_size(req) != 1 || !item)
			err = fail_at(&p, "expected {\"PutRequest\": {\"Item\": {...}}} or "
			                  "{\"DeleteRequest\": {\"Key\": {...}}}");
		else
			err = add_item(s, item, s->text + start, off - start, 0, &p);
		json_decref(req);
		if (err)
			return err;
		index++;
		++*count;
		off = skip_space(s, off);
		if (at(s, off, ']')) {
			*stop = nstops;
			*end = off + 1;
			return 0;
		}
		if (!at(s, off, ','))
			return syntax_at(s, off, "expected ',' or ']' after a write request");
		off = skip_space(s, off + 1);
		while (k < nstops && stops[k] < off)
			k++;
		if (k < nstops && stops[k] == off) {
			*stop = k;
			*end = off;
			return 0;
		}
	}
}

/* Big lists are read by several threads at once: a part is at least
 * part_min bytes long, and there are as many parts as CPUs (or 'parts'), up
 * to MAX_PARTS. */
enum { MAX_PARTS = 8 };
struct devenv_ddb_seed_tuning devenv_ddb_seed_tuning = { .parts = 0, .part_min = 256 * 1024 };

/* A likely request from 'from' to 'to' whose first key is 'key': the
 * bytes '{', white space, 'key'. A '"' inside a string is escaped, so these
 * bytes are outside any string, and the '{' opens an object whose first
 * member is named 'key': a write request, unless an item has an attribute of
 * that name. The guess is proven by the part before it arriving there. */
static size_t
guess_from(const struct seed *s, size_t from, size_t to, const char *key)
{
	size_t n = strlen(key);

	while (from < to) {
		const char *q = memmem(s->text + from, to - from, key, n);
		size_t b;

		if (!q)
			break;
		b = (size_t)(q - s->text);
		while (b > from && (s->text[b - 1] == ' ' || s->text[b - 1] == '\t' ||
		                    s->text[b - 1] == '\n' || s->text[b - 1] == '\r'))
			b--;
		if (b > from && s->text[b - 1] == '{')
			return b - 1;
		from = (size_t)(q - s->text) + n;
	}
	return SIZE_MAX;
}

static size_t
guess_request(const struct seed *s, size_t from)
{
	size_t put = guess_from(s, from, s->len, "\"PutRequest\""), del;

	/* Deletes are rare: no need to look past the first put. */
	del = guess_from(s, from, put == SIZE_MAX ? s->len : put, "\"DeleteRequest\"");
	return del < put ? del : put;
}

/* One part of a list (or of an export's lines), read on a thread of its
 * own into its own list and map of keys, numbered from 0 (lines from 1). */
struct part {
	struct seed s;
	const char *table;
	const size_t *stops; /* the starts of the parts after it */
	size_t nstops;
	size_t limit; /* export lines: where the part ends (else 0) */
	size_t start, stop, end, count;
	int err;    /* it met something wrong (the details are found again) */
	int cancel; /* set (atomically) when its reading is no longer wanted */
	int started;
	pthread_t thread;
};

static void *
read_part(void *arg)
{
	struct part *p = arg;

	if (p->limit)
		p->err = read_lines(&p->s, p->start, p->limit, 1, p->table, &p->count);
	else
		p->err = read_requests(&p->s, p->start, p->table, 0, p->stops, p->nstops, &p->stop,
		                       &p->end, &p->count);
	return NULL;
}

/* Takes a part's keys into 's', numbered from 'index' on (lines: 'index'
 * after). Returns 0, or 1 leaving 's' unchanged when one of them is there
 * already. */
static int
take_keys(struct seed *s, const struct part *p, size_t index)
{
	const char *id;
	json_t *at;

	json_object_foreach((json_t *)p->s.seen, id, at)
	{
		if (json_object_get(s->seen, id))
			return 1;
	}
	json_object_foreach((json_t *)p->s.seen, id, at)
	{
		size_t i = index + (size_t)(json_integer_value(at) & 0xffffffff);

		json_object_set_new_nocheck(
		        s->seen, id, json_integer((json_int_t)s->file << 32 | (json_int_t)i));
	}
	return 0;
}

static long
cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* How many parts to cut 'bytes' into. */
static size_t
parts_for(size_t bytes)
{
	size_t want =
	        (size_t)(devenv_ddb_seed_tuning.parts > 0 ? devenv_ddb_seed_tuning.parts : cpus());
	size_t part_min = devenv_ddb_seed_tuning.part_min ? devenv_ddb_seed_tuning.part_min : 1;

	if (want > MAX_PARTS)
		want = MAX_PARTS;
	if (bytes / part_min < want)
		want = bytes / part_min;
	return want ? want : 1;
}

/* Starts parts 1 to n-1 (filled in but for their lists and maps), each on
 * a thread of its own (or here, when no thread can be had). */
static void
start_parts(struct part *parts, size_t n)
{
	for (size_t k = 1; k < n; k++) {
		struct part *p = &parts[k];

		p->s.w = devenv_ddb_writes_new();
		p->s.seen = json_object();
		p->s.cancel = &p->cancel;
		p->started = pthread_create(&p->thread, NULL, read_part, p) == 0;
		if (!p->started)
			read_part(p);
	}
}

static void
join_part(struct part *p)
{
	if (p->started)
		pthread_join(p->thread, NULL);
	p->started = 0;
}

static void
join_parts(struct part *parts, size_t n)
{
	for (size_t k = 1; k < n; k++)
		join_part(&parts[k]);
}

/* Moves a part's requests to the end of the reading in order. */
static void
take_requests(struct seed *s, struct part *p)
{
	devenv_ddb_writes_splice(s->w, p->s.w);
	p->s.w = NULL;
	devenv_ddb_seed_tuning.joined++;
}

static void
free_parts(struct part *parts, size_t n)
{
	for (size_t k = 1; k < n; k++) {
		devenv_ddb_writes_free(parts[k].s.w);
		json_decref(parts[k].s.seen);
	}
}

/* A DynamoDB export: one {"Item": {...}} per line, for the table named by
 * the file's base name. A long file is cut at line ends and the parts are
 * read at once, then joined in order; a part that met an error, or a key of
 * an earlier part, is read again here in order, which finds the first error
 * and names it as a reading in one go would. */
static int
parse_lines(struct seed *s, const char *table)
{
	struct part parts[MAX_PARTS];
	size_t starts[MAX_PARTS + 1], n = 1, want = parts_for(s->len), lines, line;
	int err;

	starts[0] = 0;
	for (size_t k = 1; k < want; k++) {
		size_t from = s->len / want * k;
		const char *nl = memchr(s->text + from, '\n', s->len - from);
		size_t b = nl ? (size_t)(nl - s->text) + 1 : s->len;

		if (b > starts[n - 1] && b < s->len)
			starts[n++] = b;
	}
	starts[n] = s->len;
	for (size_t k = 1; k < n; k++)
		parts[k] = (struct part){
			.s = *s, .table = table, .start = starts[k], .limit = starts[k + 1]
		};
	start_parts(parts, n);
	err = read_lines(s, 0, starts[1], 1, table, &lines);
	join_parts(parts, n);
	line = 1 + lines;
	for (size_t k = 1; !err && k < n; k++) {
		struct part *p = &parts[k];

		if (p->err || take_keys(s, p, line - 1)) {
			err = read_lines(s, p->start, s->len, (int)line, table, &lines);
			break;
		}
		take_requests(s, p);
		line += p->count;
	}
	free_parts(parts, n);
	return err;
}

/* One table's write requests, '[' at 'off'; '*end' is the offset after ']'.
 * A long list is cut where requests seem to begin and the parts are read
 * at once; the parts are then joined in order, each only once the part
 * before it has arrived exactly at its start. A part that met an error, or
 * a key of an earlier part, is read again here in order, which finds the
 * first error and names it as a reading in one go would. */
static int
parse_table(struct seed *s, size_t off, const char *table, size_t *end)
{
	struct part parts[MAX_PARTS];
	size_t starts[MAX_PARTS], n = 1, want, stop = 0, count, index, next;
	int err;

	off = skip_space(s, off + 1);
	if (at(s, off, ']')) {
		*end = off + 1;
		return 0;
	}
	starts[0] = off;
	want = parts_for(s->len - off);
	for (size_t k = 1; k < want; k++) {
		size_t g = guess_request(s, off + (s->len - off) / want * k);

		if (g != SIZE_MAX && g > starts[n - 1])
			starts[n++] = g;
	}
	for (size_t k = 1; k < n; k++)
		parts[k] = (struct part){ .s = *s,
			                  .table = table,
			                  .start = starts[k],
			                  .stops = starts + k + 1,
			                  .nstops = n - k - 1 };
	start_parts(parts, n);
	err = read_requests(s, starts[0], table, 0, starts + 1, n - 1, &stop, end, &index);
	/* Join the parts that the reading in order arrives at; stop the others
	 * at once (a cut past the list's end reads another table's list). */
	next = err ? n : stop + 1;
	for (size_t k = 1;;) {
		struct part *p;

		for (; k < next && k < n; k++)
			__atomic_store_n(&parts[k].cancel, 1, __ATOMIC_RELAXED);
		if (next >= n)
			break;
		join_part(p = &parts[next]);
		k = next + 1;
		if (p->err || take_keys(s, p, index)) {
			err = read_requests(s, p->start, table, index, NULL, 0, &stop, end, &count);
			next = n;
			continue;
		}
		take_requests(s, p);
		index += p->count;
		*end = p->end;
		next += 1 + p->stop;
	}
	join_parts(parts, n);
	free_parts(parts, n);
	return err;
}

/* BatchWriteItem's RequestItems: {"Table": [request, ...], ...}. jansson
 * reads every name and request; this walks the two levels around them, so
 * that no tree of the whole file is ever built. */
static int
parse_request_items(struct seed *s)
{
	json_t *tables = json_object();
	size_t off = skip_space(s, 0);
	int err = 0;

	if (!at(s, off, '{')) {
		err = syntax_at(s, off,
		                "expected {\"Table\": [{\"PutRequest\": ...}, ...]} "
		                "(BatchWriteItem RequestItems)");
		goto out;
	}
	off = skip_space(s, off + 1);
	while (!at(s, off, '}')) {
		json_error_t je;
		json_t *name;
		const char *table;
		size_t start = off;

		if (!at(s, off, '"')) {
			err = syntax_at(s, off, "expected a table name in double quotes");
			goto out;
		}
		name = json_loadb(s->text + off, s->len - off,
		                  JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je);
		if (!name) {
			err = json_fail_at(s, start, &je);
			goto out;
		}
		table = json_string_value(name);
		if (json_object_get(tables, table)) {
			char what[1024];

			snprintf(what, sizeof(what), "table '%s' is named twice", table);
			json_decref(name);
			err = syntax_at(s, start, what);
			goto out;
		}
		json_object_set_new(tables, table, json_true());
		off = skip_space(s, value_end(s, off, &je));
		if (!at(s, off, ':'))
			err = syntax_at(s, off, "expected ':' after the table name");
		else if (!at(s, off = skip_space(s, off + 1), '[')) {
			char what[1024];

			snprintf(what, sizeof(what), "%s: expected an array of write requests",
			         table);
			err = syntax_at(s, off, what);
		} else
			err = parse_table(s, off, table, &off);
		json_decref(name);
		if (err)
			goto out;
		off = skip_space(s, off);
		if (at(s, off, ',')) {
			off = skip_space(s, off + 1);
			if (!at(s, off, '"')) {
				err = syntax_at(s, off, "expected a table name in double quotes");
				goto out;
			}
		} else if (!at(s, off, '}')) {
			err = syntax_at(s, off,
			                "expected ',' or '}' after a table's write requests");
			goto out;
		}
	}
	off = skip_space(s, off + 1);
	if (off < s->len)
		err = syntax_at(s, off, "expected the end of the file after the RequestItems");
out:
	json_decref(tables);
	return err;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
devenv_ddb_seed_parse(struct devenv_ddb_writes *w, json_t *seen, const json_t *schema, char *text,
                      size_t len, const char *name, const char *shown)
{
	struct seed s = {
		.w = w, .seen = seen, .schema = schema, .shown = shown, .text = text, .len = len
	};
	json_t *files = json_object_get(seen, FILES_KEY);
	int err;

	/* The requests point into the text: it lives as long as they do. */
	devenv_ddb_writes_keep(w, text);
	if (!files)
		json_object_set_new(seen, FILES_KEY, files = json_array());
	json_array_append_new(files, json_string(shown));
	s.files = files;
	s.file = json_array_size(files) - 1;
	if (ends_with(name, ".jsonl")) {
		char *base = xstrdup(name), *table = basename(base);

		table[strlen(table) - 6] = '\0';
		err = parse_lines(&s, table);
		free(base);
		return err;
	}
	if (ends_with(name, ".json"))
		return parse_request_items(&s);
	return devenv_error_set_at(
	        DEVENV_EDATA, shown, 0, 0,
	        "a seed file is *.json (RequestItems) or *.jsonl (export lines)");
}

int
devenv_ddb_seed_load(struct devenv_ddb_writes **out, const json_t *schema, const char *const *files,
                     const char *const *shown)
{
	struct devenv_ddb_writes *w = devenv_ddb_writes_new();
	json_t *seen = json_object();
	int err = 0;

	*out = NULL;
	for (size_t i = 0; files[i] && !err; i++) {
		char *text;
		size_t len;

		if ((err = devenv_read_file(&text, &len, files[i], shown[i])))
			break;
		err = devenv_ddb_seed_parse(w, seen, schema, text, len, files[i], shown[i]);
	}
	json_decref(seen);
	if (err) {
		devenv_ddb_writes_free(w);
		return err;
	}
	*out = w;
	return 0;
}

int
devenv_ddb_seed_files(struct devenv_ddb_writes **out, struct devenv_ctx *ctx)
{
	const char *const *files = devenv_cfg_list(ctx, "dynamodb", "seed");
	const char **shown;
	json_t *schema = NULL;
	size_t n = 0;
	int err;

	*out = NULL;
	if ((err = devenv_ddb_schema(&schema, ctx)))
		return err;
	while (files[n])
		n++;
	shown = xcalloc(n + 1, sizeof(*shown));
	for (size_t i = 0; i < n; i++)
		shown[i] = devenv_path_display(ctx, files[i]);
	err = devenv_ddb_seed_load(out, schema, files, shown);
	free(shown);
	json_decref(schema);
	return err;
}
