/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading and writing sysfs/procfs under a root prefix, and small parsers. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sluice.h"

static int vpath(const struct ctx *c, char *out, size_t n, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static int vpath(const struct ctx *c, char *out, size_t n, const char *fmt, va_list ap)
{
	size_t rl = strlen(c->root);
	int k;

	if (rl >= n)
		return -ENAMETOOLONG;
	memcpy(out, c->root, rl);
	k = vsnprintf(out + rl, n - rl, fmt, ap);
	if (k < 0 || (size_t)k >= n - rl)
		return -ENAMETOOLONG;
	return 0;
}

int sys_path(const struct ctx *c, char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(c, out, n, fmt, ap);
	va_end(ap);
	return rc;
}

int sys_exists(const struct ctx *c, const char *fmt, ...)
{
	char p[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(c, p, sizeof(p), fmt, ap);
	va_end(ap);
	return rc == 0 && access(p, F_OK) == 0;
}

static int read_first_line(const char *p, char *out, size_t n)
{
	ssize_t k;
	int fd;

	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	k = read(fd, out, n - 1);
	if (k < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	close(fd);
	out[k] = '\0';
	k = (ssize_t)strcspn(out, "\n");
	out[k] = '\0';
	while (k > 0 && isspace((unsigned char)out[k - 1]))
		out[--k] = '\0';
	return 0;
}

int sys_read(const struct ctx *c, char *out, size_t n, const char *fmt, ...)
{
	char p[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(c, p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	return read_first_line(p, out, n);
}

int sys_read_long(const struct ctx *c, long *v, const char *fmt, ...)
{
	char p[1024], buf[64], *end;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(c, p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	rc = read_first_line(p, buf, sizeof(buf));
	if (rc)
		return rc;
	errno = 0;
	*v = strtol(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int sys_link_base(const struct ctx *c, char *out, size_t n, const char *fmt, ...)
{
	char p[1024], t[1024];
	const char *b;
	va_list ap;
	ssize_t k;
	int rc;

	va_start(ap, fmt);
	rc = vpath(c, p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	k = readlink(p, t, sizeof(t) - 1);
	if (k < 0)
		return -errno;
	t[k] = '\0';
	b = strrchr(t, '/');
	b = b ? b + 1 : t;
	if (strlen(b) >= n)
		return -ENAMETOOLONG;
	strcpy(out, b);
	return 0;
}

/* Fixture only: a netdev disappears when its driver lets go of the PCI function and comes back
 * when a network driver takes it again (vfio-pci, uio_pci_generic and pci-stub do not). */
static void fake_netdevs(const struct ctx *c, const char *dev, int attach)
{
	char from[1024], to[1100], rel[512], q[1024], **ifs;
	int n;

	if (sys_path(c, from, sizeof(from), "/sys/bus/pci/devices/%s/%s", dev,
		     attach ? ".net-unbound" : "net") ||
	    sys_path(c, to, sizeof(to), "/sys/bus/pci/devices/%s/%s", dev,
		     attach ? "net" : ".net-unbound"))
		return;
	n = sys_list(c, &ifs, "/sys/bus/pci/devices/%s/%s", dev, attach ? ".net-unbound" : "net");
	if (n < 0)
		return;
	if (rename(from, to) != 0) {
		list_free(ifs, n);
		return;
	}
	for (int i = 0; i < n; i++) {
		ssize_t k;

		if (sys_path(c, q, sizeof(q), "/sys/class/net/%s", ifs[i]))
			continue;
		if (!attach) {
			unlink(q);
			continue;
		}
		/* /sys/bus/pci/devices/ADDR -> ../../../devices/...; the class link is
		 * ../../devices/... */
		if (sys_path(c, from, sizeof(from), "/sys/bus/pci/devices/%s", dev) ||
		    (k = readlink(from, rel, sizeof(rel) - 1)) < 9)
			continue;
		rel[k] = '\0';
		snprintf(to, sizeof(to), "../../%s/net/%s", rel + 9, ifs[i]);
		if (symlink(to, q) != 0)
			fprintf(stderr, "sluice: fixture: cannot link %s: %s\n", q, strerror(errno));
	}
	list_free(ifs, n);
}

/* In a fixture, sysfs attribute writes land in plain files; the kernel's reaction to the
 * driver-core files is emulated so a fixture copy behaves like sysfs. */
static void fake_kernel(const struct ctx *c, const char *p, const char *val)
{
	char dev[64], drv[128], q[1024], t[1024];
	const char *s;

	strncpy(dev, val, sizeof(dev) - 1);
	dev[sizeof(dev) - 1] = '\0';
	dev[strcspn(dev, "\n")] = '\0';
	s = p + strlen(c->root);
	if (strlen(s) > 13 && strcmp(s + strlen(s) - 13, "/nr_hugepages") == 0) {
		/* a fixture_max file next to nr_hugepages plays a kernel short of memory */
		long max, want = strtol(val, NULL, 10);
		FILE *f;

		snprintf(q, sizeof(q), "%.*sfixture_max", (int)(strlen(p) - 12), p);
		if (read_first_line(q, t, sizeof(t)) == 0 && (max = strtol(t, NULL, 10)) < want &&
		    (f = fopen(p, "w")) != NULL) {
			fprintf(f, "%ld\n", max);
			fclose(f);
		}
		return;
	}
	if (sscanf(s, "/sys/bus/pci/drivers/%127[^/]/unbind", drv) == 1 &&
	    strstr(s, "/unbind")) {
		if (sys_path(c, q, sizeof(q), "/sys/bus/pci/devices/%s/driver", dev) == 0)
			unlink(q);
		fake_netdevs(c, dev, 0);
		return;
	}
	if (strcmp(s, "/sys/bus/pci/drivers_probe") == 0) {
		if (sys_read(c, drv, sizeof(drv), "/sys/bus/pci/devices/%s/driver_override", dev) ||
		    !drv[0] || strcmp(drv, "(null)") == 0)
			return;
	} else if (!(sscanf(s, "/sys/bus/pci/drivers/%127[^/]/bind", drv) == 1 &&
		     strstr(s, "/bind"))) {
		return;
	}
	if (!sys_exists(c, "/sys/bus/pci/drivers/%s", drv) ||
	    sys_exists(c, "/sys/bus/pci/devices/%s/driver", dev))
		return;
	/* a driver named in a fixture's refuse file declines the device, like a failed probe */
	if (sys_read(c, t, sizeof(t), "/sys/bus/pci/drivers/%s/fixture_refuse", drv) == 0 &&
	    strstr(t, dev))
		return;
	if (sys_path(c, q, sizeof(q), "/sys/bus/pci/devices/%s/driver", dev) == 0) {
		snprintf(t, sizeof(t), "../../../bus/pci/drivers/%s", drv);
		if (symlink(t, q) != 0)
			fprintf(stderr, "sluice: fixture: cannot link %s: %s\n", q, strerror(errno));
		else if (strcmp(drv, "vfio-pci") && strcmp(drv, "uio_pci_generic") &&
			 strcmp(drv, "pci-stub"))
			fake_netdevs(c, dev, 1);
	}
}

int sys_write(const struct ctx *c, const char *val, const char *fmt, ...)
{
	char p[1024];
	va_list ap;
	size_t len = strlen(val);
	ssize_t k;
	int rc, fd;

	va_start(ap, fmt);
	rc = vpath(c, p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	k = write(fd, val, len);
	rc = k < 0 ? -errno : (size_t)k != len ? -EIO : 0;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && c->fake)
		fake_kernel(c, p, val);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	/* natural order so node2 sorts before node10 and cpu9 before cpu10 */
	while (*x && *y) {
		if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
			long u = strtol(x, (char **)&x, 10), v = strtol(y, (char **)&y, 10);

			if (u != v)
				return u < v ? -1 : 1;
			continue;
		}
		if (*x != *y)
			return (unsigned char)*x - (unsigned char)*y;
		x++, y++;
	}
	return (unsigned char)*x - (unsigned char)*y;
}

int sys_list(const struct ctx *c, char ***names, const char *fmt, ...)
{
	char p[1024], **v = NULL;
	struct dirent *e;
	va_list ap;
	int rc, n = 0, cap = 0;
	DIR *d;

	*names = NULL;
	va_start(ap, fmt);
	rc = vpath(c, p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	d = opendir(p);
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nv = realloc(v, sizeof(*v) * (cap = cap ? cap * 2 : 16));

			if (!nv)
				goto nomem;
			v = nv;
		}
		v[n] = strdup(e->d_name);
		if (!v[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	return n;
nomem:
	closedir(d);
	list_free(v, n);
	return -ENOMEM;
}

void list_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

char *file_slurp(const char *path, size_t max, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t k;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			char *nb;

			if (cap >= max)
				break;
			nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = nb;
		}
		k = read(fd, buf + n, cap - n - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *sys_slurp(const struct ctx *c, size_t max, const char *fmt, ...)
{
	char p[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(c, p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc)
		return NULL;
	return file_slurp(p, max, NULL);
}

int cmdline_get(const struct ctx *c, const char *key, char *val, size_t n)
{
	char *cl = sys_slurp(c, 1 << 16, "/proc/cmdline"), *tok, *save = NULL;
	size_t kl = strlen(key);
	int found = 0;

	if (val && n)
		val[0] = '\0';
	if (!cl)
		return 0;
	for (tok = strtok_r(cl, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		if (strcmp(tok, "--") == 0)
			break; /* what follows goes to init, not the kernel */
		if (strncmp(tok, key, kl) != 0 || (tok[kl] != '=' && tok[kl] != '\0'))
			continue;
		found = 1; /* the last occurrence wins, as in the kernel */
		if (val && n) {
			snprintf(val, n, "%s", tok[kl] == '=' ? tok + kl + 1 : "");
		}
	}
	free(cl);
	return found;
}

int cpulist_parse(const char *s, unsigned char *set, int max)
{
	int count = 0;

	memset(set, 0, (size_t)max);
	while (*s && !isspace((unsigned char)*s)) {
		char *end;
		long a, b;

		a = strtol(s, &end, 10);
		if (end == s)
			return -EINVAL;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1)
				return -EINVAL;
			s = end;
		}
		if (a < 0 || b < a || b >= max)
			return -EINVAL;
		for (long i = a; i <= b; i++)
			if (!set[i])
				set[i] = 1, count++;
		if (*s == ',')
			s++;
		else if (*s && !isspace((unsigned char)*s))
			return -EINVAL;
	}
	return count;
}

void cpulist_format(const unsigned char *set, int max, char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < max; i++) {
		int j = i;

		if (!set[i])
			continue;
		while (j + 1 < max && set[j + 1])
			j++;
		if (used < n)
			used += (size_t)snprintf(out + used, n - used, "%s%d", used ? "," : "", i);
		if (j > i && used < n)
			used += (size_t)snprintf(out + used, n - used, "-%d", j);
		i = j;
	}
}

int is_pci_addr(const char *s)
{
	unsigned d, b, s2, f;
	char tail;

	return sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &s2, &f, &tail) == 4 && strlen(s) == 12 &&
	       s2 < 32 && f < 8;
}

int pci_addr_norm(const char *in, char *out, size_t n)
{
	unsigned d = 0, b, s, f;
	char tail;

	if (sscanf(in, "%x:%x:%x.%x%c", &d, &b, &s, &f, &tail) != 4) {
		d = 0;
		if (sscanf(in, "%x:%x.%x%c", &b, &s, &f, &tail) != 3)
			return -EINVAL;
	}
	if (d > 0xffff || b > 0xff || s > 31 || f > 7)
		return -EINVAL;
	snprintf(out, n, "%04x:%02x:%02x.%x", d, b, s, f);
	return 0;
}

int numa_nodes(const struct ctx *c, int *ids, int max)
{
	char **names;
	int n, k = 0;

	n = sys_list(c, &names, "/sys/devices/system/node");
	for (int i = 0; i < n && k < max; i++) {
		char *end;
		long v;

		if (strncmp(names[i], "node", 4) != 0)
			continue;
		v = strtol(names[i] + 4, &end, 10);
		if (*end == '\0' && end != names[i] + 4)
			ids[k++] = (int)v;
	}
	if (n > 0)
		list_free(names, n);
	if (k == 0) { /* kernel without NUMA: one node holding every CPU */
		ids[0] = 0;
		k = 1;
	}
	return k;
}

int node_cpus(const struct ctx *c, int node, unsigned char *set)
{
	char buf[4096];

	if (sys_read(c, buf, sizeof(buf), "/sys/devices/system/node/node%d/cpulist", node) == 0)
		return cpulist_parse(buf, set, MAX_CPUS);
	if (node == 0 && sys_read(c, buf, sizeof(buf), "/sys/devices/system/cpu/online") == 0)
		return cpulist_parse(buf, set, MAX_CPUS);
	memset(set, 0, MAX_CPUS);
	return -ENOENT;
}

int cpu_has_flag(const char *flags, const char *flag)
{
	size_t fl = strlen(flag);
	const char *p = flags;

	while ((p = strstr(p, flag)) != NULL) {
		if ((p == flags || isspace((unsigned char)p[-1])) &&
		    (p[fl] == '\0' || isspace((unsigned char)p[fl])))
			return 1;
		p += fl;
	}
	return 0;
}

int run_prog(char *const argv[])
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		if (errno == ENOENT && !strchr(argv[0], '/')) { /* PATH without the sbin dirs */
			char p[256];

			snprintf(p, sizeof(p), "/usr/sbin/%s", argv[0]);
			execv(p, argv);
			snprintf(p, sizeof(p), "/sbin/%s", argv[0]);
			execv(p, argv);
		}
		fprintf(stderr, "sluice: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int is_root_user(void)
{
	return geteuid() == 0;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

int mkdir_p(const char *path)
{
	char p[1024];
	size_t l = strlen(path);

	if (l >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, path, l + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}
