/* Unit tests of src/aws.c: credentials and region found as the AWS CLI finds them. */
#include "aws.h"
#include "check.h"
#include "core.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[PATH_MAX];

static void
write_file(const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_environment_first(void)
{
	struct devenv_aws_creds c;

	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SESSION_TOKEN", "envtoken", 1);
	CHECK_INT(devenv_aws_creds_load(&c), 0);
	CHECK_STR(c.key, "AKIAENV");
	CHECK_STR(c.secret, "envsecret");
	CHECK_STR(c.token, "envtoken");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
}

static void
test_profile_and_long_token(void)
{
	struct devenv_aws_creds c;
	char *token = xmalloc(1001), *text, path[PATH_MAX + 32];

	/* A real STS token is far longer than inih's 200-byte lines. */
	for (int i = 0; i < 1000; i++)
		token[i] = (char)('A' + i % 26);
	token[1000] = '\0';
	text = xasprintf("[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n"
	                 "[ci]\naws_access_key_id = AKIACI\naws_secret_access_key = cisecret\n"
	                 "aws_session_token = %s\n",
	                 token);
	write_file("credentials", text);
	snprintf(path, sizeof(path), "%s/credentials", dir);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	setenv("AWS_PROFILE", "ci", 1);
	CHECK_INT(devenv_aws_creds_load(&c), 0);
	CHECK_STR(c.key, "AKIACI");
	CHECK_STR(c.secret, "cisecret");
	CHECK_STR(c.token, token);
	unsetenv("AWS_PROFILE");
	CHECK_INT(devenv_aws_creds_load(&c), 0);
	CHECK_STR(c.key, "AKIADEFAULT");
	CHECK_STR(c.token, "");
	setenv("AWS_PROFILE", "nope", 1);
	CHECK_INT(devenv_aws_creds_load(&c), DEVENV_ECONFIG);
	CHECK_HAS(devenv_error_last(), "[nope]");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	free(token);
	free(text);
}

static void
test_region(void)
{
	char region[64], path[PATH_MAX + 32];

	write_file("config",
	           "[default]\nregion = eu-west-3\n[profile other]\nregion = ap-south-1\n");
	snprintf(path, sizeof(path), "%s/config", dir);
	setenv("AWS_CONFIG_FILE", path, 1);
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	devenv_aws_region(region, sizeof(region));
	CHECK_STR(region, "eu-west-3");
	setenv("AWS_PROFILE", "other", 1);
	devenv_aws_region(region, sizeof(region));
	CHECK_STR(region, "ap-south-1");
	setenv("AWS_DEFAULT_REGION", "ca-central-1", 1);
	devenv_aws_region(region, sizeof(region));
	CHECK_STR(region, "ca-central-1");
	setenv("AWS_REGION", "us-west-2", 1);
	devenv_aws_region(region, sizeof(region));
	CHECK_STR(region, "us-west-2");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv("AWS_PROFILE");
	setenv("AWS_CONFIG_FILE", "/nonexistent/devenv/config", 1);
	devenv_aws_region(region, sizeof(region));
	CHECK_STR(region, "us-east-1");
	unsetenv("AWS_CONFIG_FILE");
}

int
main(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/devenv-aws-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	RUN(test_environment_first);
	RUN(test_profile_and_long_token);
	RUN(test_region);
	devenv_secret_clear();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
