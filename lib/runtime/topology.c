/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU lists and the CPU -> NUMA node map, read from sysfs (no libnuma needed). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_priv.h"

int cpulist_parse(const char *list, cpu_set_t *set)
{
	const char *p = list;

	CPU_ZERO(set);
	if (list == NULL || *list == '\0')
		return -EINVAL;
	while (*p) {
		char *end;
		unsigned long lo, hi;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		lo = strtoul(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)p[1]))
				return -EINVAL;
			hi = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (hi < lo || hi >= CPU_SETSIZE)
			return -EINVAL;
		for (unsigned long c = lo; c <= hi; c++)
			CPU_SET(c, set);
		if (*p == ',')
			p++;
		else if (*p != '\0' && *p != '\n')
			return -EINVAL;
		else
			break;
	}
	return 0;
}

void cpulist_format(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE; c++) {
		int last = c;

		if (!CPU_ISSET(c, set))
			continue;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
			last++;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
					 last > c ? "%s%d-%d" : "%s%d", used ? "," : "", c, last);
		c = last;
	}
}

unsigned topology_detect(int cpu_node[CPU_SETSIZE])
{
	unsigned nodes = 0;

	for (int c = 0; c < CPU_SETSIZE; c++)
		cpu_node[c] = 0;
	for (int n = 0; n < SL_MAX_NUMA_NODES; n++) {
		char path[96], line[1024];
		cpu_set_t set;
		FILE *f;

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", n);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(line, sizeof(line), f) && cpulist_parse(line, &set) == 0)
			for (int c = 0; c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &set))
					cpu_node[c] = n;
		fclose(f);
		nodes = (unsigned)n + 1;
	}
	return nodes ? nodes : 1;
}
