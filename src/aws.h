/* aws.h: AWS credentials, found the way the AWS CLI finds them. */
#ifndef DEVENV_AWS_H
#define DEVENV_AWS_H

#include <stddef.h>

struct devenv_aws_creds {
	char key[256];
	char secret[256];
	char token[4096];
};

/* Fills 'c' from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN, else from the credentials file (AWS_SHARED_CREDENTIALS_FILE
 * or ~/.aws/credentials, read with inih) under AWS_PROFILE or "default".
 * Returns 0, or DEVENV_ECONFIG when none are found. The secret and token
 * are registered as secrets so they are never printed. */
int devenv_aws_creds_load(struct devenv_aws_creds *c);

/* The region as the AWS CLI finds it: AWS_REGION, AWS_DEFAULT_REGION, then
 * the config file (AWS_CONFIG_FILE or ~/.aws/config, [default] or
 * [profile NAME] for AWS_PROFILE), else us-east-1. */
void devenv_aws_region(char *out, size_t n);

#endif
