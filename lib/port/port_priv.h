/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_PORT_PRIV_H
#define SL_PORT_PRIV_H

#include "sl_port_driver.h"

/* Splits "net_null0,a=1,b=2" into its name and arguments.  0 or -EINVAL (logged). */
int devstr_parse(const char *devstr, char *name, size_t name_len, struct sl_devargs *args);

#endif
