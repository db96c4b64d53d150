/* ddb.h: the core's DynamoDB client, shared by the ddb plugins. */
#ifndef DEVENV_DDB_H
#define DEVENV_DDB_H

#include "aws.h"

#include <curl/curl.h>
#include <devenv/plugin.h>
#include <jansson.h>

/* A response body being received. */
struct devenv_ddb_buf {
	char *data;
	size_t len;
};

/* Configures 'h' to POST 'body' (kept by the caller until the transfer
 * ends) as the DynamoDB operation 'op' to 'endpoint', signed with SigV4 by
 * libcurl for 'region' with 'creds'. '*hdrs' receives the header list to
 * free after the transfer. 'amz_date' (YYYYMMDDTHHMMSSZ) fixes the signing
 * time; NULL: now. The response goes to 'out'. */
void devenv_ddb_setup(CURL *h, struct curl_slist **hdrs, const char *endpoint, const char *region,
                      const struct devenv_aws_creds *creds, const char *op, const char *body,
                      const char *amz_date, struct devenv_ddb_buf *out);

/* The credentials for the endpoint in force (dummies for a local endpoint
 * when none are set), loaded once per run. Returns 0 or DEVENV_ECONFIG. */
int devenv_ddb_creds(const struct devenv_aws_creds **out, struct devenv_ctx *ctx);

/* Judges a finished transfer: 0 on HTTP 200 with '*out' the parsed body;
 * else the error set (DEVENV_EUNAVAILABLE: no answer or 5xx; DEVENV_EFAIL:
 * the DynamoDB error type and message) and '*type' (may be NULL) the short
 * error type ("ThrottlingException"), or "" when none. */
int devenv_ddb_result(json_t **out, const char **type, CURLcode cr, long status,
                      const struct devenv_ddb_buf *body, const char *op, const char *endpoint,
                      const char *errbuf);

/* Whether a failed request may be retried: throttling, 5xx, no answer. */
int devenv_ddb_retryable(int code, const char *type);

/* --- ddb_writes.c: the request list's insides, for the seed reader and
 * the writer. --- */

/* Keeps 'buf' (malloc'd) until 'w' is freed: requests may point into it. */
void devenv_ddb_writes_keep(struct devenv_ddb_writes *w, char *buf);
/* The index of table 'name' in 'w', added when new. */
size_t devenv_ddb_writes_table(struct devenv_ddb_writes *w, const char *name);
/* Appends the request 'text' (len bytes, kept by the caller or by
 * devenv_ddb_writes_keep) for table number 'table'; 'put_wrap': the text is
 * an {"Item": ...} object, sent as {"PutRequest": TEXT}. */
void devenv_ddb_writes_push(struct devenv_ddb_writes *w, size_t table, const char *text, size_t len,
                            int put_wrap);
/* Moves every request of 'from' to the end of 'w', and frees 'from'. */
void devenv_ddb_writes_splice(struct devenv_ddb_writes *w, struct devenv_ddb_writes *from);
/* The BatchWriteItem request ({"RequestItems": ...}) for the 'n' requests
 * from number 'first' on, NUL-terminated (free() it). */
char *devenv_ddb_writes_body(const struct devenv_ddb_writes *w, size_t first, size_t n);

#endif
