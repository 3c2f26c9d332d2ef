/* SPDX-License-Identifier: BSD-3-Clause */
/* sl_ctl_client_main() as sluice-routerctl will be: what test_ctl runs for its CLI cases. */
#include "sl_ctl.h"

int main(int argc, char **argv)
{
	return sl_ctl_client_main(argc, argv, "sluice-routerctl", "/run/sluice/router.sock");
}
