/*
 * ddb_writes.c: a list of DynamoDB write requests kept as their JSON text, in
 * order, and the BatchWriteItem bodies cut from it. A seed file's requests
 * point into the file's own text: parsed and checked once, never encoded
 * again, so the writer only copies bytes.
 */
#include "core.h"
#include "ddb.h"

#include <stdlib.h>
#include <string.h>

struct request {
	const char *text; /* {"PutRequest": ...} or {"DeleteRequest": ...}; or, put_wrap, {"Item":
	                     ...} */
	size_t len;
	size_t table;
	int put_wrap;
};

struct devenv_ddb_writes {
	char **names;  /* table names */
	char **quoted; /* the same as JSON strings */
	size_t ntables;
	struct request *v;
	size_t n, cap;
	char **bufs; /* texts the requests point into */
	size_t nbufs;
};

struct devenv_ddb_writes *
devenv_ddb_writes_new(void)
{
	return xcalloc(1, sizeof(struct devenv_ddb_writes));
}

void
devenv_ddb_writes_free(struct devenv_ddb_writes *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->ntables; i++) {
		free(w->names[i]);
		free(w->quoted[i]);
	}
	for (size_t i = 0; i < w->nbufs; i++)
		free(w->bufs[i]);
	free(w->names);
	free(w->quoted);
	free(w->bufs);
	free(w->v);
	free(w);
}

size_t
devenv_ddb_writes_count(const struct devenv_ddb_writes *w)
{
	return w ? w->n : 0;
}

void
devenv_ddb_writes_keep(struct devenv_ddb_writes *w, char *buf)
{
	/* A power of two or none: grown by doubling. */
	if ((w->nbufs & (w->nbufs - 1)) == 0)
		w->bufs = xrealloc(w->bufs, (w->nbufs ? 2 * w->nbufs : 1) * sizeof(*w->bufs));
	w->bufs[w->nbufs++] = buf;
}

size_t
devenv_ddb_writes_table(struct devenv_ddb_writes *w, const char *name)
{
	json_t *s;

	/* Seeds name a handful of tables, most recently used last. */
	for (size_t i = w->ntables; i-- > 0;)
		if (strcmp(w->names[i], name) == 0)
			return i;
	w->names = xrealloc(w->names, (w->ntables + 1) * sizeof(*w->names));
	w->quoted = xrealloc(w->quoted, (w->ntables + 1) * sizeof(*w->quoted));
	s = json_string(name);
	w->names[w->ntables] = xstrdup(name);
	w->quoted[w->ntables] = json_dumps(s, JSON_ENCODE_ANY);
	json_decref(s);
	if (!w->quoted[w->ntables])
		abort(); /* out of memory, or a name that is not UTF-8 */
	return w->ntables++;
}

void
devenv_ddb_writes_push(struct devenv_ddb_writes *w, size_t table, const char *text, size_t len,
                       int put_wrap)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	w->v[w->n++] =
	        (struct request){ .text = text, .len = len, .table = table, .put_wrap = put_wrap };
}

void
devenv_ddb_writes_splice(struct devenv_ddb_writes *w, struct devenv_ddb_writes *from)
{
	size_t *table = xcalloc(from->ntables + 1, sizeof(*table));

	for (size_t i = 0; i < from->ntables; i++)
		table[i] = devenv_ddb_writes_table(w, from->names[i]);
	for (size_t i = 0; i < from->n; i++)
		devenv_ddb_writes_push(w, table[from->v[i].table], from->v[i].text, from->v[i].len,
		                       from->v[i].put_wrap);
	for (size_t i = 0; i < from->nbufs; i++)
		devenv_ddb_writes_keep(w, from->bufs[i]);
	from->nbufs = 0;
	free(table);
	devenv_ddb_writes_free(from);
}

int
devenv_ddb_writes_add(struct devenv_ddb_writes *w, const json_t *request_items)
{
	const char *table;
	json_t *list, *req;
	size_t i;

	if (!json_is_object(request_items))
		return devenv_error_set(DEVENV_EDATA, "RequestItems: expected an object");
	json_object_foreach((json_t *)request_items, table, list)
	{
		size_t t;

		if (!json_is_array(list))
			return devenv_error_set(DEVENV_EDATA, "RequestItems: %s: expected an array",
			                        table);
		t = devenv_ddb_writes_table(w, table);
		json_array_foreach(list, i, req)
		{
			char *text = json_dumps(req, JSON_COMPACT);

			if (!text)
				return devenv_error_set(
				        DEVENV_EDATA, "RequestItems: %s[%zu]: not a write request",
				        table, i);
			devenv_ddb_writes_keep(w, text);
			devenv_ddb_writes_push(w, t, text, strlen(text), 0);
		}
	}
	return 0;
}

static const char put_open[] = "{\"PutRequest\":";

char *
devenv_ddb_writes_body(const struct devenv_ddb_writes *w, size_t first, size_t n)
{
	static const char head[] = "{\"RequestItems\":{";
	size_t size = sizeof(head) + 2, tables = 0;
	char *body, *p;

	/* One allocation: the requests, their wrapping, the table names. */
	for (size_t i = first; i < first + n; i++)
		size += w->v[i].len + 1 + (w->v[i].put_wrap ? sizeof(put_open) : 0) +
		        strlen(w->quoted[w->v[i].table]) + 3;
	p = body = xmalloc(size);
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	/* Table by table, in the order they first appear in the batch. */
	for (size_t i = first; i < first + n; i++) {
		size_t t = w->v[i].table, k;

		for (k = first; k < i && w->v[k].table != t; k++)
			;
		if (k < i)
			continue; /* that table's list is written already */
		if (tables++)
			*p++ = ',';
		memcpy(p, w->quoted[t], strlen(w->quoted[t]));
		p += strlen(w->quoted[t]);
		*p++ = ':';
		*p++ = '[';
		for (k = i; k < first + n; k++) {
			const struct request *r = &w->v[k];

			if (r->table != t)
				continue;
			if (k != i)
				*p++ = ',';
			if (r->put_wrap) {
				memcpy(p, put_open, sizeof(put_open) - 1);
				p += sizeof(put_open) - 1;
			}
			memcpy(p, r->text, r->len);
			p += r->len;
			if (r->put_wrap)
				*p++ = '}';
		}
		*p++ = ']';
	}
	*p++ = '}';
	*p++ = '}';
	*p = '\0';
	return body;
}
