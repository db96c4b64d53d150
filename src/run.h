/* run.h: one invocation's shared state, and the context each plugin gets. */
#ifndef DEVENV_RUN_H
#define DEVENV_RUN_H

#include <devenv/plugin.h>
#include <pthread.h>
#include <signal.h>

struct devenv_config;
struct devenv_state;
struct devenv_registry;
struct devenv_reg_entry;
struct devenv_aws_creds;

/* What every plugin of one invocation shares. Read-only while plugins run. */
struct devenv_run {
	const struct devenv_config *cfg;
	struct devenv_state *state;
	const struct devenv_registry *reg;
	const char *root;
	int json;
	int allow_destructive;
	int wait_timeout;  /* wait --timeout override, -1: the config's */
	int quiet_results; /* no per-plugin result lines (commands, --json) */
	int argc;          /* arguments for command plugins */
	const char *const *argv;
	pthread_mutex_t mu; /* guards the lazily made fields below */
	char *aws_endpoint;
	struct devenv_aws_creds *aws_creds;
	char aws_region[64];
};

/* One plugin's context: the run, and what is the plugin's own. */
struct devenv_ctx {
	struct devenv_run *run;
	const struct devenv_reg_entry *entry;
	char detail[512];
	int64_t progress_start;
	int progress_drawn;
	void *curl; /* the DynamoDB client's kept-alive handle */
	struct pg_conn *pg, *pg_admin;
	char pg_dbname[256];
};

/* Frees what a plugin's context acquired (connections). */
void devenv_ctx_release(struct devenv_ctx *ctx);

/* Set by the SIGINT/SIGTERM handler; read by devenv_cancelled(). */
extern volatile sig_atomic_t devenv_cancel_signal;

/* Installs the SIGINT/SIGTERM handlers that set devenv_cancel_signal. */
void devenv_signals_install(void);

#endif
