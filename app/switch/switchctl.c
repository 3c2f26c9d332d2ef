/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-switchctl [-s PATH] [--json] COMMAND...: talks to sluice-switch's control socket
 * (lib/ctl's client; `sluice-switchctl help` lists the commands).
 */
#include "sl_ctl.h"

int main(int argc, char **argv)
{
	return sl_ctl_client_main(argc, argv, "sluice-switchctl", "/run/sluice/sluice/switch.sock");
}
