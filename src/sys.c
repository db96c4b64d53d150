/* sys.c: the real system behind struct devenv_sys. */
#include "sys.h"
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One non-blocking connect, bounded by the time left. */
static int
connect_one(const struct addrinfo *ai, int timeout_ms, int *err)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	                ai->ai_protocol);
	struct pollfd pfd;
	socklen_t len = sizeof(*err);

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto ok;
	if (errno != EINPROGRESS) {
		*err = errno;
		goto fail;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&pfd, 1, timeout_ms) <= 0) {
		*err = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) < 0 || *err != 0)
		goto fail;
ok:
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

static int
real_tcp_connect(const char *host, const char *port, int timeout_ms, char *why, size_t n)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	int r, err = 0;

	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		snprintf(why, n, "cannot resolve %s: %s", host, gai_strerror(r));
		return -1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		if (connect_one(ai, timeout_ms, &err) == 0) {
			freeaddrinfo(res);
			return 0;
		}
	freeaddrinfo(res);
	snprintf(why, n, "%s:%s: %s", host, port,
	         err == ECONNREFUSED ? "connection refused" : strerror(err));
	return -1;
}

const struct devenv_sys devenv_sys_real = {
	.now_ms = devenv_now_ms,
	.sleep_ms = devenv_sleep_ms,
	.tcp_connect = real_tcp_connect,
};
