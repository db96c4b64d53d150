/* wait.c: the one wait loop: TCP, then the protocol's own answer, backoff. */
#include "wait.h"
#include "core.h"
#include "run.h"

#include <stdio.h>
#include <string.h>

enum { FIRST_DELAY_MS = 10, MAX_DELAY_MS = 25, CONNECT_TIMEOUT_MS = 1000 };

int
devenv_wait_next_delay(int prev)
{
	int next = prev <= 0 ? FIRST_DELAY_MS : prev + prev / 2;

	return next > MAX_DELAY_MS ? MAX_DELAY_MS : next;
}

int
devenv_wait_run(const struct devenv_waiter *w, int *attempts)
{
	const struct devenv_sys *sys = w->sys;
	int64_t deadline = sys->now_ms() + w->timeout_ms;
	char why[512] = "not tried";
	int delay = 0, n = 0;

	for (;;) {
		int64_t left = deadline - sys->now_ms();
		int r;

		n++;
		if (w->host &&
		    sys->tcp_connect(w->host, w->port,
		                     left < CONNECT_TIMEOUT_MS ? (int)(left > 0 ? left : 1)
		                                               : CONNECT_TIMEOUT_MS,
		                     why, sizeof(why)) != 0)
			r = 1;
		else
			r = w->probe(w->arg, why, sizeof(why));
		if (r <= 0) {
			if (attempts)
				*attempts = n;
			return r == 0                ? 0
			       : devenv_error_code() ? devenv_error_code()
			                             : DEVENV_EFAIL;
		}
		if (w->cancel && *w->cancel)
			return devenv_error_set(DEVENV_ECANCELLED, "cancelled");
		delay = devenv_wait_next_delay(delay);
		if (sys->now_ms() + delay > deadline) {
			if (attempts)
				*attempts = n;
			return devenv_error_set(DEVENV_EUNAVAILABLE,
			                        "%s did not become ready in %d s (%d attempts): %s",
			                        w->what, w->timeout_ms / 1000, n, why);
		}
		sys->sleep_ms(delay);
	}
}

int
devenv_wait(struct devenv_ctx *ctx, const char *what, const char *host, const char *port,
            long timeout_s, int (*probe)(void *arg, char *why, size_t n), void *arg)
{
	struct devenv_waiter w = {
		.sys = &devenv_sys_real,
		.what = what,
		.host = host,
		.port = port,
		.timeout_ms =
		        (int)((ctx->run->wait_timeout >= 0 ? ctx->run->wait_timeout : timeout_s) *
		              1000),
		.probe = probe,
		.arg = arg,
		.cancel = &devenv_cancel_signal,
	};

	return devenv_wait_run(&w, NULL);
}
