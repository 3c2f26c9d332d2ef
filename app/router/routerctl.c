/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-routerctl [-s PATH] [--json] COMMAND...: talks to sluice-router's control socket
 * (lib/ctl's client; `sluice-routerctl help` lists the commands).
 */
#include "sl_ctl.h"

int main(int argc, char **argv)
{
	return sl_ctl_client_main(argc, argv, "sluice-routerctl", "/run/sluice/sluice/router.sock");
}
