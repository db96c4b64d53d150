/* cli.h: the command line. */
#ifndef DEVENV_CLI_H
#define DEVENV_CLI_H

/* Runs devenv with 'argv' and returns the process exit code. */
int devenv_cli_main(int argc, char **argv);

#endif
