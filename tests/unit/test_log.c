/* Unit tests of src/log.c: secrets never reach the output. */
#include "check.h"
#include "core.h"

#include <stdlib.h>

static void
test_url_display(void)
{
	char out[256];

	devenv_url_display(out, sizeof(out), "postgresql://postgres:s3cret@localhost:5432/cruddur");
	CHECK_STR(out, "postgresql://postgres:***@localhost:5432/cruddur");
	devenv_url_display(out, sizeof(out), "postgresql://postgres@localhost/db");
	CHECK_STR(out, "postgresql://postgres@localhost/db");
	devenv_url_display(out, sizeof(out), "postgresql://localhost/db?user=a");
	CHECK_STR(out, "postgresql://localhost/db?user=a");
	/* An @ in the path or query is not a password's end. */
	devenv_url_display(out, sizeof(out), "http://host:8000/a@b");
	CHECK_STR(out, "http://host:8000/a@b");
}

static void
test_redact(void)
{
	char out[256];

	devenv_secret_add_url("postgresql://u:hunter2pw@db/x");
	devenv_secret_add("AKIASECRETKEY");
	devenv_secret_add("AKIASECRETKEYLONGER");
	devenv_secret_add("ab"); /* too short to mask */
	devenv_redact(out, sizeof(out), "password hunter2pw failed for AKIASECRETKEYLONGER and ab");
	CHECK_STR(out, "password *** failed for *** and ab");
	devenv_redact(out, sizeof(out), "hunter2pwhunter2pw");
	CHECK_STR(out, "******");
	/* Truncation keeps the output terminated. */
	devenv_redact(out, 5, "abcdefgh");
	CHECK_STR(out, "abcd");
	devenv_secret_clear();
	devenv_redact(out, sizeof(out), "hunter2pw");
	CHECK_STR(out, "hunter2pw");
}

static void
test_exit_codes(void)
{
	CHECK_INT(devenv_error_exit_code(DEVENV_OK), 0);
	CHECK_INT(devenv_error_exit_code(DEVENV_EFAIL), 1);
	CHECK_INT(devenv_error_exit_code(DEVENV_EUSAGE), 64);
	CHECK_INT(devenv_error_exit_code(DEVENV_EDATA), 65);
	CHECK_INT(devenv_error_exit_code(DEVENV_EUNAVAILABLE), 69);
	CHECK_INT(devenv_error_exit_code(DEVENV_ELOCKED), 75);
	CHECK_INT(devenv_error_exit_code(DEVENV_EREFUSED), 77);
	CHECK_INT(devenv_error_exit_code(DEVENV_ECONFIG), 78);
	CHECK_INT(devenv_error_set_at(DEVENV_EDATA, "db/seed.sql", 3, 7, "ERROR: %s", "boom"),
	          DEVENV_EDATA);
	CHECK_STR(devenv_error_last(), "db/seed.sql:3:7: ERROR: boom");
}

static void
test_split_words(void)
{
	char **w = devenv_split_words("  a  b\tc\n");

	CHECK_STR(w[0], "a");
	CHECK_STR(w[1], "b");
	CHECK_STR(w[2], "c");
	CHECK(w[3] == NULL);
	free(w);
	w = devenv_split_words(NULL);
	CHECK(w[0] == NULL);
	free(w);
}

int
main(void)
{
	RUN(test_url_display);
	RUN(test_redact);
	RUN(test_exit_codes);
	RUN(test_split_words);
	return check_done();
}
