/* tests/tools/sigv4_probe.c — sends one DynamoDB request exactly as devenv
 * signs it (devenv_ddb_setup), at a fixed time, to an endpoint whose
 * connection a test redirects to a local TLS server that records it.
 *
 *   sigv4_probe ENDPOINT REGION OP BODY AMZ_DATE CONNECT_TO CAFILE
 * Credentials come from the environment as for devenv. */
#include "aws.h"
#include "core.h"
#include "ddb.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	struct devenv_aws_creds creds;
	struct curl_slist *hdrs = NULL, *connect_to = NULL;
	struct devenv_ddb_buf out = { 0 };
	CURLcode cr;
	CURL *h;

	if (argc != 8) {
		fprintf(stderr,
		        "usage: sigv4_probe ENDPOINT REGION OP BODY AMZ_DATE CONNECT_TO CAFILE\n");
		return 64;
	}
	if (devenv_aws_creds_load(&creds) != 0) {
		fprintf(stderr, "%s\n", devenv_error_last());
		return 78;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	h = curl_easy_init();
	devenv_ddb_setup(h, &hdrs, argv[1], argv[2], &creds, argv[3], argv[4], argv[5], &out);
	/* The test's redirection: production's host name, a local server. */
	connect_to = curl_slist_append(NULL, argv[6]);
	curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
	curl_easy_setopt(h, CURLOPT_CAINFO, argv[7]);
	cr = curl_easy_perform(h);
	if (cr != CURLE_OK)
		fprintf(stderr, "sigv4_probe: %s\n", curl_easy_strerror(cr));
	curl_slist_free_all(hdrs);
	curl_slist_free_all(connect_to);
	curl_easy_cleanup(h);
	free(out.data);
	curl_global_cleanup();
	return cr == CURLE_OK ? 0 : 1;
}
