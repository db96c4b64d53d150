/* aws.h: AWS credentials, found the way the AWS CLI finds them. */
#ifndef DEVENV_AWS_H
#define DEVENV_AWS_H

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

#endif
