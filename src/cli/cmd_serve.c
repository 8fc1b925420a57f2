/* `purdah serve`: being written (issue #5). */
#include "cli/cli.h"

pd_rc pd_cmd_serve(pd_cli *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	return pd_error_set(PD_EINTERNAL, "serve: not built yet");
}
