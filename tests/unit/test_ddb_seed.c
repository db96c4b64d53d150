/* Unit tests of src/ddb_seed.c: a long request list, or a long export
 * file, read by several threads must give exactly what one reading in
 * order gives — the same requests in the same order, or the same first
 * error with the same message — whatever the cuts, including cuts guessed
 * inside an item. */
#include "check.h"
#include "core.h"
#include "ddb.h"
#include "ddb_item.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *schema;

/* A growing string. */
struct text {
	char *p;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...) DEVENV_PRINTF(2, 3);

static void
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->p = xrealloc(t->p, t->cap);
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* What one reading gave. */
struct reading {
	int err;
	char msg[1024];
	size_t count;
	struct text bodies; /* every BatchWriteItem body, one a line */
};

/* The file's name: RequestItems, or export lines for table "t". */
static const char *name = "seed.json", *shown = "ddb/seed.json";

static void
read_with(struct reading *r, const char *text, int parts, size_t part_min)
{
	struct devenv_ddb_writes *w = devenv_ddb_writes_new();
	json_t *seen = json_object();

	memset(r, 0, sizeof(*r));
	devenv_ddb_seed_tuning.parts = parts;
	devenv_ddb_seed_tuning.part_min = part_min;
	devenv_error_clear();
	r->err = devenv_ddb_seed_parse(w, seen, schema, xstrdup(text), strlen(text), name, shown);
	snprintf(r->msg, sizeof(r->msg), "%s", devenv_error_last());
	r->count = devenv_ddb_writes_count(w);
	add(&r->bodies, "%s", "");
	for (size_t i = 0; !r->err && i < r->count; i += 25) {
		char *b = devenv_ddb_writes_body(w, i, r->count - i < 25 ? r->count - i : 25);

		add(&r->bodies, "%s\n", b);
		free(b);
	}
	devenv_ddb_writes_free(w);
	json_decref(seen);
}

/* Reads 'text' in order, then cut in 2, 4 and 8 parts; checks that all
 * agree; returns the reading in order ('*joined': parts used as read). */
static void
read_all_ways(struct reading *r, const char *text, size_t *joined)
{
	static const int parts[] = { 2, 4, 8 };

	read_with(r, text, 1, 0);
	*joined = 0;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		struct reading c;
		size_t before = devenv_ddb_seed_tuning.joined;

		read_with(&c, text, parts[i], 1024);
		*joined += devenv_ddb_seed_tuning.joined - before;
		CHECK_INT(c.err, r->err);
		CHECK_STR(c.msg, r->msg);
		CHECK_INT(c.count, r->count);
		CHECK(strcmp(c.bodies.p, r->bodies.p) == 0);
		free(c.bodies.p);
	}
}

enum { N = 3000 };

/* How request 'i' is written; 'bad' decides what goes wrong, and where. */
enum flaw {
	NONE,
	MISSING_KEY,
	SAME_KEY_AS_10,
	SAME_KEY_AS_PREVIOUS,
	NO_COMMA,
	DECOY,     /* every item */
	DELETE,    /* a DeleteRequest */
	ALL_DELETE /* every request */
};

static void
request(struct text *t, size_t i, enum flaw flaw, int pretty)
{
	size_t key = i;
	const char *sep = pretty ? "\n    " : " ";

	if (flaw == SAME_KEY_AS_10)
		key = 10;
	if (flaw == SAME_KEY_AS_PREVIOUS)
		key = i - 1;
	if (flaw == DELETE) {
		add(t, "{%s\"DeleteRequest\": {\"Key\": {\"pk\": {\"S\": \"k%05zu\"}}}}", sep, key);
		return;
	}
	add(t, "{%s\"PutRequest\": {%s\"Item\": {", sep, sep);
	if (flaw != MISSING_KEY)
		add(t, "\"pk\": {\"S\": \"k%05zu\"}, ", key);
	/* An attribute map whose first key is PutRequest: the bytes a cut looks
	 * for, inside an item. */
	if (flaw == DECOY)
		add(t, "\"m\": {\"M\": {\"PutRequest\": {\"S\": \"x\"}}},%s", sep);
	add(t, "\"n\": {\"N\": \"%zu\"}, \"s\": {\"S\": \"the quick brown fox é\"}}}}", i);
}

/* A seed of N requests for table "t"; request 'at' (and 'at2') flawed. */
static char *
seed(enum flaw flaw, size_t at, enum flaw flaw2, size_t at2, int pretty)
{
	struct text t = { 0 };

	add(&t, "{\"t\": [\n");
	for (size_t i = 0; i < N; i++) {
		enum flaw f = i == at ? flaw : i == at2 ? flaw2 : NONE;

		if (flaw == DECOY)
			f = DECOY;
		if (flaw == ALL_DELETE)
			f = DELETE;
		if (i)
			add(&t, f == NO_COMMA ? "\n" : pretty ? ",\n  " : ",\n");
		request(&t, i, f, pretty);
	}
	add(&t, "\n]}\n");
	return t.p;
}

/* A seed with one or two flawed requests, and what its error must say. */
struct flawed {
	enum flaw flaw;
	size_t at;
	enum flaw flaw2;
	size_t at2;
	const char *want;
};

/* Reads 'text' (and frees it) all ways; checks the reading has the error of
 * 'c' (or, with no flaw, every request, some read on other threads). */
static void
expect_reading(char *text, const struct flawed *c)
{
	struct reading r;
	size_t joined;

	read_all_ways(&r, text, &joined);
	CHECK_INT(r.err, c->flaw == NONE ? 0 : DEVENV_EDATA);
	if (c->flaw == NONE) {
		CHECK_INT(r.count, N);
		CHECK(joined > 0);
	}
	if (!strstr(r.msg, c->want)) {
		fprintf(stderr, "'%s' does not say '%s'\n", r.msg, c->want);
		CHECK(0);
	}
	free(r.bodies.p);
	free(text);
}

/* What a good seed must read as: every request, some on other threads. */
static const struct flawed good = { .flaw = NONE, .want = "" };

static void
test_good(void)
{
	for (int pretty = 0; pretty < 2; pretty++)
		expect_reading(seed(NONE, SIZE_MAX, NONE, SIZE_MAX, pretty), &good);
}

static void
test_first_error_wins(void)
{
	static const struct flawed cases[] = {
		{ MISSING_KEY, 2500, NONE, SIZE_MAX, "ddb/seed.json: t[2500]: " },
		{ SAME_KEY_AS_10, 2500, NONE, SIZE_MAX,
		  "t[2500]: the same key as ddb/seed.json t[10]" },
		{ SAME_KEY_AS_PREVIOUS, 2501, NONE, SIZE_MAX,
		  "t[2501]: the same key as ddb/seed.json t[2500]" },
		{ MISSING_KEY, 100, MISSING_KEY, 2500, "t[100]: " },
		{ SAME_KEY_AS_10, 2900, MISSING_KEY, 2950, "t[2900]: the same key" },
		{ MISSING_KEY, 2950, SAME_KEY_AS_10, 2000, "t[2000]: the same key" },
		{ NO_COMMA, 2200, NONE, SIZE_MAX, "ddb/seed.json:2202:1: expected ',' or ']'" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		expect_reading(seed(cases[i].flaw, cases[i].at, cases[i].flaw2, cases[i].at2, 0),
		               &cases[i]);
}

static void
test_decoys_and_deletes(void)
{
	char *text = seed(DECOY, SIZE_MAX, NONE, SIZE_MAX, 0);
	struct reading r;
	size_t joined;

	read_all_ways(&r, text, &joined);
	CHECK_INT(r.err, 0);
	CHECK_INT(r.count, N);
	free(r.bodies.p);
	free(text);

	text = seed(DELETE, 1700, DELETE, 2800, 1);
	read_all_ways(&r, text, &joined);
	CHECK_INT(r.err, 0);
	CHECK_INT(r.count, N);
	CHECK(strstr(r.bodies.p, "\"DeleteRequest\": {\"Key\": {\"pk\": {\"S\": \"k01700\"}}}}"));
	free(r.bodies.p);
	free(text);

	/* Deletes only: the cuts are found by them alone. */
	expect_reading(seed(ALL_DELETE, SIZE_MAX, NONE, SIZE_MAX, 0), &good);
}

/* Two long lists, one per table, and an empty one. */
static void
test_two_tables(void)
{
	char *a = seed(NONE, SIZE_MAX, NONE, SIZE_MAX, 0);
	struct text t = { 0 };
	struct reading r;
	size_t joined;

	a[strlen(a) - 3] = '\0'; /* cut "]}\n" */
	add(&t, "%s], \"u\": [", a);
	for (size_t i = 0; i < N; i++)
		add(&t, "%s{\"PutRequest\": {\"Item\": {\"id\": {\"N\": \"%zu\"}}}}", i ? "," : "",
		    i);
	add(&t, "], \"t2\": []}");
	read_all_ways(&r, t.p, &joined);
	CHECK_STR(r.msg, "");
	CHECK_INT(r.count, 2 * N);
	CHECK(joined > 0);
	free(r.bodies.p);
	free(t.p);
	free(a);
}

/* Export lines: N items for "t", blank lines here and there, one line
 * flawed (or two). */
static char *
export_lines(enum flaw flaw, size_t at, enum flaw flaw2, size_t at2)
{
	struct text t = { 0 };

	for (size_t i = 0; i < N; i++) {
		enum flaw f = i == at ? flaw : i == at2 ? flaw2 : NONE;
		size_t key = f == SAME_KEY_AS_10 ? 10 : i;

		if (i % 700 == 0)
			add(&t, "\n");
		if (f == MISSING_KEY)
			add(&t, "{\"Item\": {\"n\": {\"N\": \"%zu\"}}}\n", i);
		else
			add(&t,
			    "{\"Item\": {\"pk\": {\"S\": \"k%05zu\"}, \"n\": {\"N\": \"%zu\"}}}\n",
			    key, i);
	}
	return t.p;
}

static void
test_export_lines(void)
{
	static const struct flawed cases[] = {
		{ NONE, SIZE_MAX, NONE, SIZE_MAX, "" },
		/* Item i is on line i + 2 + i / 700 (a blank line every 700). */
		{ MISSING_KEY, 2500, NONE, SIZE_MAX, "ddb/t.jsonl:2505: " },
		{ SAME_KEY_AS_10, 2500, NONE, SIZE_MAX,
		  "ddb/t.jsonl:2505: the same key as ddb/t.jsonl:12" },
		{ MISSING_KEY, 2900, SAME_KEY_AS_10, 1600, "ddb/t.jsonl:1604: the same key" },
	};

	name = "t.jsonl";
	shown = "ddb/t.jsonl";
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		expect_reading(
		        export_lines(cases[i].flaw, cases[i].at, cases[i].flaw2, cases[i].at2),
		        &cases[i]);
	name = "seed.json";
	shown = "ddb/seed.json";
}

int
main(void)
{
	schema =
	        json_loads("[{\"TableName\": \"t\", \"AttributeDefinitions\": [{\"AttributeName\": "
	                   "\"pk\", \"AttributeType\": \"S\"}], \"KeySchema\": "
	                   "[{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}]},"
	                   "{\"TableName\": \"u\", \"AttributeDefinitions\": [{\"AttributeName\": "
	                   "\"id\", \"AttributeType\": \"N\"}], \"KeySchema\": "
	                   "[{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}]},"
	                   "{\"TableName\": \"t2\", \"AttributeDefinitions\": [{\"AttributeName\": "
	                   "\"id\", \"AttributeType\": \"N\"}], \"KeySchema\": "
	                   "[{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}]}]",
	                   0, NULL);
	if (!schema)
		return 2;
	RUN(test_good);
	RUN(test_first_error_wins);
	RUN(test_decoys_and_deletes);
	RUN(test_two_tables);
	RUN(test_export_lines);
	json_decref(schema);
	return check_done();
}
