/*
 * fuzz_conversation.c: the Cruddur conversation file parser, the static
 * parse() of plugins/cruddur/conversation.c, compiled in here. parse()
 * reads a path, so each input goes to a memfd read back through
 * /proc/self/fd/N. Built with -Ddevenv_plugin=devenv_plugin_fuzz_conversation
 * so the included descriptor cannot clash with the built-in one.
 *
 * Besides sanitizer reports, an accepted line must be text run() can put
 * in an item: json_string() (what json_pack "s" uses) must take it.
 */
#include "../../plugins/cruddur/conversation.c"
#include "core.h" /* devenv_error_clear */
#include "fuzz.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("conversation.txt", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct line *lines = NULL;
	size_t n = 0, done = 0;
	int err;

	if (ftruncate(fd, 0) != 0)
		abort();
	while (done < size) {
		ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);

		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	devenv_error_clear();
	err = parse(&lines, &n, path, "ddb/conversation.txt");
	if (err) {
		CHECK(err == DEVENV_EDATA);
		CHECK(strncmp(devenv_error_last(), "ddb/conversation.txt", 20) == 0);
	} else {
		CHECK(n > 0 && lines);
	}
	for (size_t i = 0; i < n; i++) {
		CHECK(lines[i].person == 1 || lines[i].person == 2);
		CHECK(lines[i].text);
		if (!err) {
			json_t *s = json_string(lines[i].text);

			CHECK(*lines[i].text);
			CHECK(s); /* else run() drops the message (json_pack fails) */
			json_decref(s);
		}
		free(lines[i].text);
	}
	free(lines);
	return 0;
}
