/*
 * ddb_write.c: BatchWriteItem at speed. Write requests are cut into batches
 * of 25 and sent on a curl multi handle, `concurrency` requests in flight on
 * kept-alive connections. UnprocessedItems, throttling, 5xx answers and
 * dropped connections are retried with exponential backoff and full jitter,
 * a bounded number of times; nothing spins while waiting.
 */
#include "core.h"
#include "ddb.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH_ITEMS = 25, MAX_ATTEMPTS = 10, BACKOFF_BASE_MS = 25, BACKOFF_CAP_MS = 5000 };

struct batch {
	size_t first;       /* its requests in the list, from number 'first' on */
	char *body;         /* the BatchWriteItem request, made when first sent */
	size_t items;       /* write requests in it */
	int attempt;        /* failed tries so far */
	int64_t not_before; /* backoff: do not send before */
};

struct slot {
	CURL *h;
	struct curl_slist *hdrs;
	struct devenv_ddb_buf resp;
	char errbuf[CURL_ERROR_SIZE];
	struct batch *b; /* in flight, or NULL */
};

struct writer {
	struct devenv_ctx *ctx;
	const struct devenv_ddb_writes *writes;
	const char *endpoint, *region;
	const struct devenv_aws_creds *creds;
	struct batch **queue; /* waiting to be sent (first ready first) */
	size_t nqueue, cap;
	size_t done, total, retries;
	unsigned seed;
};

static void
enqueue(struct writer *w, struct batch *b)
{
	if (w->nqueue == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->queue = xrealloc(w->queue, w->cap * sizeof(*w->queue));
	}
	w->queue[w->nqueue++] = b;
}

static struct batch *
new_batch(size_t first, size_t items)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	b->first = first;
	b->items = items;
	return b;
}

static void
free_batch(struct batch *b)
{
	if (b) {
		free(b->body);
		free(b);
	}
}

/* Full jitter: a random wait up to base * 2^attempt, capped. */
static int64_t
backoff_ms(struct writer *w, int attempt)
{
	int64_t cap = (int64_t)BACKOFF_BASE_MS << (attempt < 16 ? attempt : 16);

	if (cap > BACKOFF_CAP_MS)
		cap = BACKOFF_CAP_MS;
	return (int64_t)(rand_r(&w->seed) % (unsigned)(cap + 1));
}

/* Takes the first batch whose backoff has passed, or NULL. */
static struct batch *
dequeue(struct writer *w, int64_t now)
{
	for (size_t i = 0; i < w->nqueue; i++) {
		struct batch *b = w->queue[i];

		if (b->not_before <= now) {
			memmove(&w->queue[i], &w->queue[i + 1],
			        (w->nqueue - i - 1) * sizeof(*w->queue));
			w->nqueue--;
			return b;
		}
	}
	return NULL;
}

/* Milliseconds until a queued batch may go (0: one may now; -1: none). */
static int64_t
next_ready_ms(const struct writer *w, int64_t now)
{
	int64_t wait = -1;

	for (size_t i = 0; i < w->nqueue; i++) {
		int64_t d = w->queue[i]->not_before - now;

		if (wait < 0 || d < wait)
			wait = d > 0 ? d : 0;
	}
	return wait;
}

static void
start(struct writer *w, CURLM *multi, struct slot *s, struct batch *b)
{
	/* Made here, not up front: the first requests go out at once and the
	 * rest is made while they are in flight. */
	if (!b->body)
		b->body = devenv_ddb_writes_body(w->writes, b->first, b->items);
	s->b = b;
	s->resp.len = 0;
	s->errbuf[0] = '\0';
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	devenv_ddb_setup(s->h, &s->hdrs, w->endpoint, w->region, w->creds, "BatchWriteItem",
	                 b->body, NULL, &s->resp);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	curl_multi_add_handle(multi, s->h);
}

/* Handles a finished request. Returns 0, or the error for a failure that
 * retrying will not mend (or that used up its tries). */
static int
finish(struct writer *w, struct slot *s, CURLcode cr)
{
	struct batch *b = s->b;
	const char *type = "";
	json_t *out = NULL, *unprocessed;
	long status = 0;
	int err;

	s->b = NULL;
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	err = devenv_ddb_result(&out, &type, cr, status, &s->resp, "BatchWriteItem", w->endpoint,
	                        s->errbuf);
	if (err && !devenv_ddb_retryable(err, type)) {
		free_batch(b);
		return err;
	}
	if (err) {
		if (++b->attempt >= MAX_ATTEMPTS) {
			char msg[1024];

			snprintf(msg, sizeof(msg), "%s", devenv_error_last());
			free_batch(b);
			return devenv_error_set(err, "gave up after %d tries: %s", MAX_ATTEMPTS,
			                        msg);
		}
		devenv_debug(w->ctx, "retrying a batch (%s)", devenv_error_last());
		b->not_before = devenv_now_ms() + backoff_ms(w, b->attempt);
		w->retries++;
		enqueue(w, b);
		return 0;
	}
	unprocessed = json_object_get(out, "UnprocessedItems");
	if (json_is_object(unprocessed) && json_object_size(unprocessed) > 0) {
		/* What the server did not take goes again, after a pause. */
		struct batch *again;
		size_t left = 0;
		const char *table;
		json_t *list;
		int attempt = b->attempt + 1;

		json_object_foreach(unprocessed, table, list) left += json_array_size(list);
		if (attempt >= MAX_ATTEMPTS) {
			json_decref(out);
			free_batch(b);
			return devenv_error_set(
			        DEVENV_EFAIL,
			        "gave up after %d tries: %zu items stayed unprocessed",
			        MAX_ATTEMPTS, left);
		}
		{
			json_t *req = json_pack("{s:O}", "RequestItems", unprocessed);

			again = new_batch(0, left);
			again->body = json_dumps(req, JSON_COMPACT);
			json_decref(req);
		}
		again->attempt = attempt;
		again->not_before = devenv_now_ms() + backoff_ms(w, attempt);
		w->done += b->items - left;
		w->retries++;
		enqueue(w, again);
	} else {
		w->done += b->items;
	}
	json_decref(out);
	free_batch(b);
	devenv_progress(w->ctx, w->done, w->total);
	return 0;
}

/* Cuts the list into batches of 25, in order. */
static void
cut(struct writer *w)
{
	size_t n = devenv_ddb_writes_count(w->writes);

	for (size_t i = 0; i < n; i += BATCH_ITEMS)
		enqueue(w, new_batch(i, n - i < BATCH_ITEMS ? n - i : BATCH_ITEMS));
	w->total = n;
}

int
devenv_ddb_write(struct devenv_ctx *ctx, const struct devenv_ddb_writes *writes, size_t *written)
{
	struct writer w = { .ctx = ctx, .writes = writes, .endpoint = devenv_ddb_endpoint(ctx) };
	long concurrency = devenv_cfg_int(ctx, "dynamodb", "concurrency", 8);
	struct slot *slots;
	CURLM *multi;
	int err = 0, running = 0, active = 0;
	char first_error[1024] = "";

	if (written)
		*written = 0;
	if (!w.endpoint || (err = devenv_ddb_creds(&w.creds, ctx)))
		return w.endpoint ? err
		                  : devenv_error_set(DEVENV_ECONFIG,
		                                     "devenv.ini has no [dynamodb] section");
	w.region = devenv_ddb_region(ctx);
	w.seed = (unsigned)devenv_now_ms() ^ (unsigned)(uintptr_t)&w;
	cut(&w);
	multi = curl_multi_init();
	/* Never more connections than requests in flight. */
	curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, concurrency);
	slots = xcalloc((size_t)concurrency, sizeof(*slots));
	for (long i = 0; i < concurrency; i++)
		slots[i].h = curl_easy_init();
	for (;;) {
		int64_t now = devenv_now_ms();
		CURLMsg *msg;
		int left;

		/* Fill the free slots, unless stopping. */
		for (long i = 0; i < concurrency && !err && !devenv_cancelled(ctx); i++) {
			struct batch *b;

			if (slots[i].b || !(b = dequeue(&w, now)))
				continue;
			start(&w, multi, &slots[i], b);
			active++;
		}
		if (active == 0 && (err || w.nqueue == 0))
			break;
		/* Interrupted: in-flight requests are dropped, not waited for. */
		if (devenv_cancelled(ctx))
			break;
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct slot *s = NULL;
			int e;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			curl_multi_remove_handle(multi, s->h);
			active--;
			e = finish(&w, s, msg->data.result);
			/* The first failure is the one to report: later answers
			 * must not overwrite its message. */
			if (e && !err) {
				err = e;
				snprintf(first_error, sizeof(first_error), "%s",
				         devenv_error_last());
			}
		}
		if (active > 0 || w.nqueue > 0) {
			/* Sleep in poll until a socket is ready or, with a slot
			 * free, a backoff ends. */
			int64_t wait = active < concurrency && !err && !devenv_cancelled(ctx)
			                       ? next_ready_ms(&w, devenv_now_ms())
			                       : -1;
			int timeout = wait >= 0 && wait < 1000 ? (int)wait : 1000;

			if (wait != 0)
				curl_multi_poll(multi, NULL, 0, timeout, NULL);
		}
	}
	for (long i = 0; i < concurrency; i++) {
		if (slots[i].b) {
			curl_multi_remove_handle(multi, slots[i].h);
			free_batch(slots[i].b);
		}
		curl_slist_free_all(slots[i].hdrs);
		free(slots[i].resp.data);
		curl_easy_cleanup(slots[i].h);
	}
	for (size_t i = 0; i < w.nqueue; i++)
		free_batch(w.queue[i]);
	free(w.queue);
	free(slots);
	curl_multi_cleanup(multi);
	if (written)
		*written = w.done;
	if (err)
		devenv_error_set(err, "%s", first_error);
	if (!err && devenv_cancelled(ctx))
		err = devenv_error_set(DEVENV_ECANCELLED, "cancelled");
	if (w.retries)
		devenv_info(ctx, "%zu retries (throttling or unprocessed items)", w.retries);
	return err;
}
