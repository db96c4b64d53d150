/* main.c: devenv's entry point. */
#include "cli.h"

int
main(int argc, char **argv)
{
	return devenv_cli_main(argc, argv);
}
