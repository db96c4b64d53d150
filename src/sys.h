/* sys.h: the system calls that waiting and watching depend on, behind one
 * table, so unit tests drive them with a fake clock and no server. */
#ifndef DEVENV_SYS_H
#define DEVENV_SYS_H

#include <stddef.h>
#include <stdint.h>

struct devenv_sys {
	int64_t (*now_ms)(void);
	void (*sleep_ms)(int ms);
	/* Opens (and closes) a TCP connection to host:port within timeout_ms.
	 * Returns 0, or -1 with the reason in 'why'. */
	int (*tcp_connect)(const char *host, const char *port, int timeout_ms, char *why, size_t n);
};

extern const struct devenv_sys devenv_sys_real;

#endif
