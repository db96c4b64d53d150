/*
 * ddb_limit: how fast can a DynamoDB endpoint (dynalite) take BatchWriteItem requests?
 *
 * The reference point for bench/ddb_seed.sh: CONNS keep-alive HTTP/1.1 connections, each with
 * exactly one request in flight, all requests built before the clock starts, no JSON parsing,
 * no signing (dynalite checks the Authorization header's shape, not the signature). Whatever a
 * real client adds on top of this is client overhead.
 *
 *   ddb_limit HOST PORT TABLE ITEMS [CONNS]      (CONNS default 8)
 *
 * Writes ITEMS items (pk, sk, message, n: the shape bench/ddb_seed.sh's seed file has) in
 * batches of 25 PutRequests, reads every response whole (Content-Length framing), and counts a
 * response that is not 200 or whose body lacks "UnprocessedItems":{} as a failure. Prints the
 * elapsed milliseconds and items/s; exits 1 on any failure.
 *
 * Plain sockets and poll(2), no libraries: cc -O2 -Wall -Wextra -o ddb_limit ddb_limit.c
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH     25
#define MAX_CONNS 1024

struct buf {
	char *p;
	size_t len, cap;
};

struct request {
	char *data;
	size_t len;
	int items;
};

struct conn {
	int fd;
	struct request *req; /* in flight, NULL when idle */
	size_t sent;
	struct buf in;
	size_t header_len; /* 0 until the blank line after the headers has arrived */
	size_t total;      /* header_len + Content-Length */
	int status;
};

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ddb_limit: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void
reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		die("out of memory");
	b->p = p;
	b->cap = cap;
}

static void
append(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	reserve(b, 256);
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			die("vsnprintf failed");
		if ((size_t)n < room)
			break;
		reserve(b, (size_t)n);
	}
	b->len += (size_t)n;
}

static long
parse_count(const char *s, const char *what, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 1 || v > max)
		die("%s: expected an integer from 1 to %ld, got '%s'", what, max, s);
	return v;
}

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Item i, exactly as bench/ddb_seed.sh's generator writes it. */
static void
append_item(struct buf *b, long i)
{
	char message[101];
	int n = snprintf(message, sizeof message, "message %08ld ", i);
	static const char filler[] = "the quick brown fox jumps over the lazy dog; ";
	for (size_t k = 0; n < 100; n++, k++)
		message[n] = filler[k % (sizeof filler - 1)];
	message[100] = '\0';
	append(b,
	       "{\"PutRequest\":{\"Item\":{"
	       "\"pk\":{\"S\":\"bench#%03ld\"},"
	       "\"sk\":{\"S\":\"item#%08ld\"},"
	       "\"message\":{\"S\":\"%s\"},"
	       "\"n\":{\"N\":\"%ld\"}}}}",
	       i % 100, i, message, i);
}

static struct request
build_request(const char *host, const char *port, const char *table, long first, long count)
{
	struct buf body = { 0 }, req = { 0 };
	append(&body, "{\"RequestItems\":{\"%s\":[", table);
	for (long i = first; i < first + count; i++) {
		if (i > first)
			append(&body, ",");
		append_item(&body, i);
	}
	append(&body, "]}}");
	append(&req,
	       "POST / HTTP/1.1\r\n"
	       "Host: %s:%s\r\n"
	       "Content-Type: application/x-amz-json-1.0\r\n"
	       "X-Amz-Target: DynamoDB_20120810.BatchWriteItem\r\n"
	       "X-Amz-Date: 20240101T000000Z\r\n"
	       "Authorization: AWS4-HMAC-SHA256 "
	       "Credential=bench/20240101/us-east-1/dynamodb/aws4_request, "
	       "SignedHeaders=host;x-amz-date;x-amz-target, "
	       "Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n"
	       "Content-Length: %zu\r\n"
	       "\r\n",
	       host, port, body.len);
	reserve(&req, body.len);
	memcpy(req.p + req.len, body.p, body.len);
	req.len += body.len;
	free(body.p);
	return (struct request){ .data = req.p, .len = req.len, .items = (int)count };
}

static int
connect_to(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		die("connect: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die("fcntl: %s", strerror(errno));
	return fd;
}

/* Parse the status line and Content-Length once the headers are complete. 0: need more bytes. */
static int
parse_head(struct conn *c)
{
	c->in.p[c->in.len] = '\0';
	char *end = strstr(c->in.p, "\r\n\r\n");
	if (!end)
		return 0;
	c->header_len = (size_t)(end - c->in.p) + 4;
	if (sscanf(c->in.p, "HTTP/1.%*d %d", &c->status) != 1)
		die("bad status line: %.80s", c->in.p);
	long length = -1;
	for (char *line = strstr(c->in.p, "\r\n"); line && line < end;
	     line = strstr(line + 2, "\r\n")) {
		if (strncasecmp(line + 2, "content-length:", 15) == 0)
			length = strtol(line + 2 + 15, NULL, 10);
		else if (strncasecmp(line + 2, "transfer-encoding:", 18) == 0)
			die("the server sent Transfer-Encoding; only Content-Length framing is "
			    "supported");
	}
	if (length < 0)
		die("response without Content-Length");
	c->total = c->header_len + (size_t)length;
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: ddb_limit HOST PORT TABLE ITEMS [CONNS]\n");
		return 64;
	}
	const char *host = argv[1], *port = argv[2], *table = argv[3];
	long items = parse_count(argv[4], "ITEMS", 100000000L);
	long nconns = argc > 5 ? parse_count(argv[5], "CONNS", MAX_CONNS) : 8;
	for (const char *t = table; *t; t++)
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
		      (*t >= '0' && *t <= '9') || *t == '_' || *t == '-' || *t == '.'))
			die("TABLE: '%s' is not a DynamoDB table name", table);
	signal(SIGPIPE, SIG_IGN);

	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0)
		die("%s:%s: %s", host, port, gai_strerror(rc));

	/* Every request is built before the clock starts. */
	long nreqs = (items + BATCH - 1) / BATCH;
	struct request *reqs = calloc((size_t)nreqs, sizeof *reqs);
	if (!reqs)
		die("out of memory");
	for (long r = 0; r < nreqs; r++) {
		long first = r * BATCH;
		reqs[r] = build_request(host, port, table, first,
		                        items - first < BATCH ? items - first : BATCH);
	}
	if (nconns > nreqs)
		nconns = nreqs;

	struct conn *conns = calloc((size_t)nconns, sizeof *conns);
	struct pollfd *pfds = calloc((size_t)nconns, sizeof *pfds);
	if (!conns || !pfds)
		die("out of memory");

	double t0 = now_ms();
	long next = 0, done_items = 0, failed = 0, inflight = 0;
	for (long k = 0; k < nconns; k++) {
		conns[k].fd = connect_to(ai);
		conns[k].req = &reqs[next++];
		inflight++;
		pfds[k] = (struct pollfd){ .fd = conns[k].fd, .events = POLLOUT };
	}

	while (inflight > 0) {
		if (poll(pfds, (nfds_t)nconns, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (long k = 0; k < nconns; k++) {
			struct conn *c = &conns[k];
			short rev = pfds[k].revents;
			if (!rev || !c->req)
				continue;
			if (c->sent < c->req->len) {
				if (!(rev & (POLLOUT | POLLERR | POLLHUP)))
					continue;
				ssize_t n =
				        write(c->fd, c->req->data + c->sent, c->req->len - c->sent);
				if (n < 0) {
					if (errno == EAGAIN || errno == EINTR)
						continue;
					die("connection %ld: write: %s", k, strerror(errno));
				}
				c->sent += (size_t)n;
				if (c->sent == c->req->len)
					pfds[k].events = POLLIN;
				continue;
			}
			if (!(rev & (POLLIN | POLLERR | POLLHUP)))
				continue;
			reserve(&c->in, 16384);
			ssize_t n = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				die("connection %ld: read: %s", k, strerror(errno));
			}
			if (n == 0)
				die("connection %ld: the server closed the connection mid-response",
				    k);
			c->in.len += (size_t)n;
			if (!c->header_len && !parse_head(c))
				continue;
			if (c->in.len < c->total)
				continue;
			if (c->in.len > c->total)
				die("connection %ld: %zu bytes after the response", k,
				    c->in.len - c->total);
			/* One whole response. */
			c->in.p[c->in.len] = '\0';
			const char *body = c->in.p + c->header_len;
			if (c->status != 200) {
				if (failed == 0)
					fprintf(stderr, "ddb_limit: HTTP %d: %.300s\n", c->status,
					        body);
				failed += c->req->items;
			} else if (!strstr(body, "\"UnprocessedItems\":{}")) {
				if (failed == 0)
					fprintf(stderr, "ddb_limit: unprocessed items: %.300s\n",
					        body);
				failed += c->req->items;
			} else {
				done_items += c->req->items;
			}
			c->in.len = 0;
			c->header_len = c->total = 0;
			c->status = 0;
			c->sent = 0;
			if (next < nreqs) {
				c->req = &reqs[next++];
				pfds[k].events = POLLOUT;
			} else {
				c->req = NULL;
				pfds[k].events = 0;
				inflight--;
			}
		}
	}
	double elapsed = now_ms() - t0;

	for (long k = 0; k < nconns; k++) {
		close(conns[k].fd);
		free(conns[k].in.p);
	}
	for (long r = 0; r < nreqs; r++)
		free(reqs[r].data);
	free(reqs);
	free(conns);
	free(pfds);
	freeaddrinfo(ai);

	printf("ddb_limit: %ld items, %ld connections: %.0f ms, %.0f items/s", done_items, nconns,
	       elapsed, elapsed > 0 ? (double)done_items * 1000.0 / elapsed : 0.0);
	if (failed)
		printf(", %ld items FAILED", failed);
	printf("\n");
	return failed ? 1 : 0;
}
