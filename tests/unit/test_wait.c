/* Unit tests of src/wait.c with a fake clock and a fake TCP stack. */
#include "check.h"
#include "core.h"
#include "wait.h"

#include <stdio.h>

static int64_t clock_ms;
static int refuse_until_ms; /* TCP refused before this time */
static int probe_ready_ms;  /* the probe says not yet before this time */
static int sleeps[256], nsleeps;

static int64_t
fake_now(void)
{
	return clock_ms;
}

static void
fake_sleep(int ms)
{
	if (nsleeps < 256)
		sleeps[nsleeps++] = ms;
	clock_ms += ms;
}

static int
fake_connect(const char *host, const char *port, int timeout_ms, char *why, size_t n)
{
	(void)host, (void)port, (void)timeout_ms;
	clock_ms += 1; /* a refused connect on loopback takes about nothing */
	if (clock_ms < refuse_until_ms) {
		snprintf(why, n, "connection refused");
		return -1;
	}
	return 0;
}

static int
fake_probe(void *arg, char *why, size_t n)
{
	(void)arg;
	if (clock_ms < probe_ready_ms) {
		snprintf(why, n, "the server is starting up");
		return 1;
	}
	return 0;
}

static int
fatal_probe(void *arg, char *why, size_t n)
{
	(void)arg, (void)why, (void)n;
	devenv_error_set(DEVENV_ECONFIG, "bad URL");
	return -1;
}

static const struct devenv_sys fake = { fake_now, fake_sleep, fake_connect };

static void
reset(int refuse, int probe)
{
	clock_ms = 1000000;
	refuse_until_ms = (int)clock_ms + refuse;
	probe_ready_ms = (int)clock_ms + probe;
	nsleeps = 0;
	devenv_error_clear();
}

static void
test_backoff_shape(void)
{
	int d = 0, total = 0;

	/* Starts at about 10 ms, grows, never beyond tens of ms. */
	d = devenv_wait_next_delay(0);
	CHECK_INT(d, 10);
	for (int i = 0; i < 50; i++) {
		int next = devenv_wait_next_delay(d);

		CHECK(next >= d);
		CHECK(next <= 25);
		total += next;
		d = next;
	}
	CHECK(total > 0);
}

static void
test_ready_at_once(void)
{
	struct devenv_waiter w = { &fake, "svc", "h", "1", 5000, fake_probe, NULL, NULL };
	int attempts = 0;

	reset(0, 0);
	CHECK_INT(devenv_wait_run(&w, &attempts), 0);
	CHECK_INT(attempts, 1);
	CHECK_INT(nsleeps, 0);
}

static void
test_noticed_promptly(void)
{
	struct devenv_waiter w = { &fake, "svc", "h", "1", 60000, fake_probe, NULL, NULL };
	int64_t ready_at;

	/* The port opens after 3 s, the protocol answers 200 ms later. */
	reset(3000, 3200);
	ready_at = clock_ms + 3200;
	CHECK_INT(devenv_wait_run(&w, NULL), 0);
	/* Noticed within one backoff step of readiness, not seconds later. */
	CHECK(clock_ms - ready_at <= 26);
}

static void
test_timeout(void)
{
	struct devenv_waiter w = { &fake, "PostgreSQL", "h", "1", 2000, fake_probe, NULL, NULL };
	int attempts = 0;

	reset(1 << 30, 0);
	CHECK_INT(devenv_wait_run(&w, &attempts), DEVENV_EUNAVAILABLE);
	CHECK_HAS(devenv_error_last(), "PostgreSQL did not become ready in 2 s");
	CHECK_HAS(devenv_error_last(), "connection refused");
	/* It gave up at the deadline, not long after. */
	CHECK(clock_ms - 1000000 <= 2000 + 2 * 26);
	CHECK(attempts > 10);
	/* The last reason is the probe's when TCP worked. */
	reset(0, 1 << 30);
	CHECK_INT(devenv_wait_run(&w, NULL), DEVENV_EUNAVAILABLE);
	CHECK_HAS(devenv_error_last(), "starting up");
}

static void
test_fatal(void)
{
	struct devenv_waiter w = { &fake, "svc", "h", "1", 60000, fatal_probe, NULL, NULL };

	reset(0, 0);
	CHECK_INT(devenv_wait_run(&w, NULL), DEVENV_ECONFIG);
	CHECK_INT(nsleeps, 0);
}

static void
test_cancel(void)
{
	volatile sig_atomic_t cancel = 1;
	struct devenv_waiter w = { &fake, "svc", "h", "1", 60000, fake_probe, NULL, &cancel };

	reset(1 << 30, 0);
	CHECK_INT(devenv_wait_run(&w, NULL), DEVENV_ECANCELLED);
}

static void
test_no_tcp_step(void)
{
	struct devenv_waiter w = { &fake, "svc", NULL, NULL, 1000, fake_probe, NULL, NULL };

	/* A Unix socket: only the probe counts. */
	reset(1 << 30, 0);
	CHECK_INT(devenv_wait_run(&w, NULL), 0);
}

int
main(void)
{
	RUN(test_backoff_shape);
	RUN(test_ready_at_once);
	RUN(test_noticed_promptly);
	RUN(test_timeout);
	RUN(test_fatal);
	RUN(test_cancel);
	RUN(test_no_tcp_step);
	return check_done();
}
