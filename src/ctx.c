/* ctx.c: the context API of include/devenv/plugin.h, served from the run. */
#include "aws.h"
#include "config.h"
#include "pg.h"
#include "core.h"
#include "registry.h"
#include "repo.h"
#include "run.h"
#include "state.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t devenv_cancel_signal;

void
devenv_ctx_release(struct devenv_ctx *ctx)
{
	curl_easy_cleanup(ctx->curl);
	ctx->curl = NULL;
	devenv_pg_release(ctx);
}

static void
on_signal(int sig)
{
	devenv_cancel_signal = sig;
}

void
devenv_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

const char *
devenv_cfg_get(struct devenv_ctx *ctx, const char *section, const char *key)
{
	return devenv_config_get(ctx->run->cfg, section, key);
}

const char *const *
devenv_cfg_list(struct devenv_ctx *ctx, const char *section, const char *key)
{
	return devenv_config_list(ctx->run->cfg, section, key);
}

long
devenv_cfg_int(struct devenv_ctx *ctx, const char *section, const char *key, long def)
{
	const char *v = devenv_config_get(ctx->run->cfg, section, key);

	/* The config checked the number when it was read. */
	return v && *v ? strtol(v, NULL, 10) : def;
}

const char *
devenv_root(struct devenv_ctx *ctx)
{
	return ctx->run->root;
}

const char *
devenv_env(struct devenv_ctx *ctx)
{
	return devenv_config_env(ctx->run->cfg);
}

int
devenv_protected(struct devenv_ctx *ctx)
{
	return devenv_config_protected(ctx->run->cfg);
}

const char *
devenv_path_display(struct devenv_ctx *ctx, const char *path)
{
	size_t n = strlen(ctx->run->root);

	if (strncmp(path, ctx->run->root, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

const char *
devenv_pg_url(struct devenv_ctx *ctx)
{
	const struct devenv_config *cfg = ctx->run->cfg;
	const char *url;

	if (!devenv_config_has(cfg, "postgres"))
		return NULL;
	url = devenv_config_get(cfg, "postgres", "url");
	/* Under -e prod, prod_url, unless [env.prod] overrides postgres.url. */
	if (strcmp(devenv_config_env(cfg), "prod") == 0 &&
	    !devenv_config_get(cfg, "env.prod", "postgres.url"))
		url = devenv_config_get(cfg, "postgres", "prod_url");
	return url;
}

const char *
devenv_ddb_endpoint(struct devenv_ctx *ctx)
{
	const struct devenv_config *cfg = ctx->run->cfg;
	const char *ep, *region;

	if (!devenv_config_has(cfg, "dynamodb"))
		return NULL;
	/* Under -e prod the local endpoint of the file and the environment do
	 * not apply: [env.prod] dynamodb.endpoint, else the real AWS one. */
	if (strcmp(devenv_config_env(cfg), "prod") == 0) {
		ep = devenv_config_get(cfg, "env.prod", "dynamodb.endpoint");
	} else {
		ep = devenv_config_get(cfg, "dynamodb", "endpoint");
		if (!ep || !*ep)
			ep = getenv("AWS_ENDPOINT_URL_DYNAMODB");
		if (!ep || !*ep)
			ep = getenv("AWS_ENDPOINT_URL");
	}
	if (ep && *ep)
		return ep;
	region = devenv_ddb_region(ctx); /* takes the lock itself */
	pthread_mutex_lock(&ctx->run->mu);
	if (!ctx->run->aws_endpoint) {
		ctx->run->aws_endpoint = xasprintf("https://dynamodb.%s.amazonaws.com", region);
	}
	pthread_mutex_unlock(&ctx->run->mu);
	return ctx->run->aws_endpoint;
}

const char *
devenv_ddb_region(struct devenv_ctx *ctx)
{
	const char *r = devenv_config_get(ctx->run->cfg, "dynamodb", "region");

	if (r && *r)
		return r;
	pthread_mutex_lock(&ctx->run->mu);
	if (!ctx->run->aws_region[0])
		devenv_aws_region(ctx->run->aws_region, sizeof(ctx->run->aws_region));
	pthread_mutex_unlock(&ctx->run->mu);
	return ctx->run->aws_region;
}

int
devenv_argc(struct devenv_ctx *ctx)
{
	return ctx->run->argc;
}

const char *const *
devenv_argv(struct devenv_ctx *ctx)
{
	return ctx->run->argv;
}

void
devenv_log(struct devenv_ctx *ctx, enum devenv_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	devenv_logv(ctx->entry->p->name, level, fmt, ap);
	va_end(ap);
}

void
devenv_out(struct devenv_ctx *ctx, const char *fmt, ...)
{
	char *buf = NULL;
	va_list ap;
	int n;

	(void)ctx;
	va_start(ap, fmt);
	n = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (n >= 0)
		devenv_printf("%s", buf);
	free(buf);
}

int
devenv_json(struct devenv_ctx *ctx)
{
	return ctx->run->json;
}

void
devenv_set_detail(struct devenv_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->detail, sizeof(ctx->detail), fmt, ap);
	va_end(ap);
}

void
devenv_progress(struct devenv_ctx *ctx, uint64_t done, uint64_t total)
{
	int64_t now = devenv_now_ms();
	char line[128];
	int width = 30, fill;

	if (!ctx->progress_start)
		ctx->progress_start = now;
	/* Only on a terminal, and only for a step longer than about a second. */
	if (!isatty(STDERR_FILENO) || devenv_log_opts()->quiet || total == 0 ||
	    now - ctx->progress_start < 1000)
		return;
	fill = (int)(done * (uint64_t)width / total);
	snprintf(line, sizeof(line), "\r%-16s [%.*s%*s] %3d%%", ctx->entry->p->name, fill,
	         "##############################", width - fill, "", (int)(done * 100 / total));
	fputs(line, stderr);
	if (done >= total)
		fputs("\r\033[K", stderr);
	ctx->progress_drawn = done < total;
}

int
devenv_cancelled(struct devenv_ctx *ctx)
{
	(void)ctx;
	return devenv_cancel_signal != 0;
}

const char *
devenv_state_dir(struct devenv_ctx *ctx)
{
	return devenv_state_path(ctx->run->state);
}

int
devenv_fingerprint(char out[41], struct devenv_ctx *ctx, const char *const *files)
{
	size_t cap = 256, n = 0;
	char *buf = xmalloc(cap);

	for (; *files; files++) {
		char id[41] = "";
		const char *name = devenv_path_display(ctx, *files);
		size_t need = strlen(name) + 64;

		/* A missing file is part of the state too: its name, no id. */
		if (access(*files, F_OK) == 0 && devenv_repo_blob_id(id, *files) != 0) {
			free(buf);
			return devenv_error_code();
		}
		if (n + need > cap) {
			cap = (n + need) * 2;
			buf = xrealloc(buf, cap);
		}
		n += (size_t)snprintf(buf + n, cap - n, "%s %s\n", id[0] ? id : "-", name);
	}
	devenv_repo_blob_id_buf(out, buf, n);
	free(buf);
	return 0;
}

int
devenv_state_get(char *out, int outsz, struct devenv_ctx *ctx, const char *key)
{
	return devenv_state_load(ctx->run->state, key, out, outsz);
}

int
devenv_state_put(struct devenv_ctx *ctx, const char *key, const char *value)
{
	return devenv_state_save(ctx->run->state, key, value);
}

void
devenv_fingerprint_text(char out[41], const char *text)
{
	devenv_repo_blob_id_buf(out, text, strlen(text));
}

int64_t
devenv_clock_ms(void)
{
	return devenv_now_ms();
}
