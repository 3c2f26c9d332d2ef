/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "sl_runtime.h"
#include "sl_telemetry.h"

static struct log_capture cap;

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (sl_initialized())
		sl_cleanup();
	log_capture_stop();
	return 0;
}

static int nb_cpus(void)
{
	cpu_set_t set;

	sched_getaffinity(0, sizeof(set), &set);
	return CPU_COUNT(&set);
}

static void test_parse_options(void **state)
{
	char *argv[] = {"app", "-l", "0-1", "--main-lcore", "1", "-m", "64", "--socket-mem",
			"32", "--no-huge", "--file-prefix", "t1", "--log-level", "ring:debug",
			"--", "appopt", NULL};
	struct sl_config cfg;
	int n;

	(void)state;
	sl_config_defaults(&cfg);
	n = sl_config_parse(&cfg, 16, argv);
	assert_int_equal(n, 14);
	assert_string_equal(argv[n], "app"); /* program name moved before the app's args */
	assert_string_equal(argv[n + 1], "appopt");
	assert_string_equal(cfg.lcores, "0-1");
	assert_int_equal(cfg.main_lcore, 1);
	assert_int_equal(cfg.mem_limit, 64u << 20);
	assert_int_equal(cfg.node_mem_limit[0], 32u << 20);
	assert_int_equal(cfg.huge, SL_MEM_HUGE_OFF);
	assert_string_equal(cfg.file_prefix, "t1");
	assert_string_equal(cfg.log_levels, "ring:debug");
}

static void test_parse_stops_at_first_app_argument(void **state)
{
	char *argv[] = {"app", "--no-huge", "port0", "--rxq", NULL};
	char *bad[] = {"app", "--no-huge", "--rxq", "2", NULL};
	struct sl_config cfg;

	(void)state;
	sl_config_defaults(&cfg);
	assert_int_equal(sl_config_parse(&cfg, 4, argv), 1);
	assert_string_equal(argv[1], "app");
	assert_string_equal(argv[2], "port0");
	/* An application option before "--" is refused with the fix. */
	assert_int_equal(sl_config_parse(&cfg, 4, bad), -EINVAL);
	assert_true(log_capture_has(&cap, "unknown option '--rxq'", "after '--'"));
}

static void test_parse_errors(void **state)
{
	struct sl_config cfg;
	char *a1[] = {"app", "-m", "lots", NULL};
	char *a2[] = {"app", "--socket-mem", "1,x", NULL};
	char *a3[] = {"app", "--frobnicate", NULL};
	char *a4[] = {"app", "--main-lcore", "-3", NULL};

	(void)state;
	sl_config_defaults(&cfg);
	assert_int_equal(sl_config_parse(&cfg, 3, a1), -EINVAL);
	assert_true(log_capture_has(&cap, "-m 'lots'", NULL));
	assert_int_equal(sl_config_parse(&cfg, 3, a2), -EINVAL);
	assert_true(log_capture_has(&cap, "--socket-mem '1,x'", NULL));
	assert_int_equal(sl_config_parse(&cfg, 2, a3), -EINVAL);
	assert_true(log_capture_has(&cap, "unknown option '--frobnicate'", NULL));
	assert_int_equal(sl_config_parse(&cfg, 3, a4), -EINVAL);
	assert_true(log_capture_has(&cap, "--main-lcore '-3'", NULL));
}

static void test_help(void **state)
{
	char *argv[] = {"app", "--help", NULL};

	(void)state;
	assert_int_equal(sl_init(2, argv), -ECANCELED);
	assert_false(sl_initialized());
}

static void test_zero_config_says_what_it_chose(void **state)
{
	char *argv[] = {"app", "--file-prefix", "zc", NULL};
	struct stat st;
	char lock[300];

	unsigned cpus = (unsigned)nb_cpus();

	(void)state;
	assert_int_equal(sl_init(3, argv), 2);
	assert_true(sl_initialized());
	assert_int_equal(sl_lcore_count(), cpus < SL_MAX_LCORE ? cpus : SL_MAX_LCORE);
	assert_int_equal(sl_lcore_id(), sl_lcore_main());
	assert_true(log_capture_has(&cap, "runtime: notice: cores ", "memory: "));
	snprintf(lock, sizeof(lock), "%s/lock", sl_runtime_dir());
	assert_int_equal(stat(lock, &st), 0);
	assert_non_null(strstr(sl_runtime_dir(), "/zc"));
	assert_int_equal(sl_init(3, argv), -EALREADY);
	assert_int_equal(sl_cleanup(), 0);
	assert_int_not_equal(stat(lock, &st), 0);
	assert_int_equal(sl_cleanup(), -EINVAL);
}

struct where {
	uint32_t lcore;
	int cpu;
};

static int record_where(void *arg)
{
	struct where *w = &((struct where *)arg)[sl_lcore_id()];

	w->lcore = sl_lcore_id();
	w->cpu = sched_getcpu();
	return (int)sl_lcore_id() + 100;
}

static void test_workers_pinned_and_return_values(void **state)
{
	struct sl_config cfg;
	struct where where[SL_MAX_LCORE];
	uint32_t i, n = 0;

	(void)state;
	if (nb_cpus() < 2)
		skip();
	memset(where, 0xff, sizeof(where));
	sl_config_defaults(&cfg);
	cfg.lcores = "0-1";
	cfg.file_prefix = "pin";
	assert_int_equal(sl_init_config(&cfg), 0);
	assert_int_equal(sl_lcore_count(), 2);
	assert_int_equal(sl_lcore_main(), 0);
	assert_int_equal(sched_getcpu(), 0); /* the main thread is pinned too */
	SL_LCORE_FOREACH_WORKER(i) {
		assert_int_equal(sl_lcore_launch(i, record_where, where), 0);
		n++;
	}
	assert_int_equal(n, 1);
	assert_int_equal(sl_lcore_wait(1), 101);
	assert_int_equal(where[1].lcore, 1);
	assert_int_equal(where[1].cpu, 1);

	/* launch_all with the main lcore taking part. */
	memset(where, 0xff, sizeof(where));
	assert_int_equal(sl_lcore_launch_all(record_where, where, true), 100);
	assert_int_equal(sl_lcore_wait_all(), 101);
	assert_int_equal(where[0].cpu, 0);
	assert_int_equal(where[1].cpu, 1);

	/* Not a worker: the main lcore and an unknown one. */
	assert_int_equal(sl_lcore_launch(0, record_where, where), -EINVAL);
	assert_int_equal(sl_lcore_launch(77, record_where, where), -EINVAL);
	assert_true(log_capture_has(&cap, "lcore 77", "not a worker"));
}

static int spin_until(void *arg)
{
	while (!__atomic_load_n((int *)arg, __ATOMIC_ACQUIRE))
		sl_pause();
	return 7;
}

/* Rounds of a poll loop: 100 idle ones (64 measured exactly, which teaches the idle round
 * cost, then a lazy run), then three times a busy round of about 2 ms and two idle rounds:
 * the first busy round ends the lazy run, the others are measured exactly. */
static int poll_rounds(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++)
		sl_lcore_round(false);
	for (int i = 0; i < 3; i++) {
		uint64_t end = sl_rdtsc() + sl_tsc_hz() / 500;

		while (sl_rdtsc() < end)
			sl_pause();
		sl_lcore_round(true);
		sl_lcore_round(false);
		sl_lcore_round(false);
	}
	return 0;
}

static void test_telemetry_and_load(void **state)
{
	char *argv[] = {"prog", "-l", "0-1", "--file-prefix", "rtel", "--", "appArg", NULL};
	char *argv_off[] = {"prog", "--file-prefix", "rtel2", "--no-telemetry", NULL};
	char *argv_bad[] = {"prog", "--file-prefix", "rtel3", "--metrics", "nonsense:x", NULL};
	struct sl_lcore_load l;
	char path[512];
	json_t *v;

	(void)state;
	if (nb_cpus() < 2)
		skip();
	assert_int_equal(sl_init(7, argv), 5); /* argv[5] is "prog" again, for the app */
	assert_non_null(sl_telemetry_path());
	sl_telemetry_dir("rtel", path, sizeof(path) - 32);
	strcat(path, "/dpdk_telemetry.v2");
	assert_string_equal(sl_telemetry_path(), path);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(sl_telemetry_exec("/eal/params", &v, NULL, 0), 0);
	assert_string_equal(json_string_value(json_array_get(v, 3)), "--file-prefix");
	assert_int_equal(json_array_size(v), 5);
	json_decref(v);
	assert_int_equal(sl_telemetry_exec("/eal/app_params", &v, NULL, 0), 0);
	assert_string_equal(json_string_value(json_array_get(v, 0)), "appArg");
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);

	assert_int_equal(sl_lcore_launch(1, poll_rounds, NULL), 0);
	assert_int_equal(sl_lcore_wait(1), 0);
	sl_lcore_load_get(1, &l);
	assert_int_equal(l.rounds, 109);
	/* busy: the three ~2 ms rounds, less 1 %: the lazy run's idle rounds are charged at the
	 * cost of an exactly measured idle round, which is dearer (it reads the TSC).  The idle
	 * rounds add a little to the total only (up to 20 ms: the worker may be preempted on
	 * a loaded machine, which counts as idle). */
	assert_true(l.busy_cycles >= 3 * (sl_tsc_hz() / 500) / 100 * 99);
	assert_true(l.busy_cycles <= l.total_cycles);
	assert_true(l.total_cycles - l.busy_cycles < sl_tsc_hz() / 50);
	assert_int_equal(sl_telemetry_exec("/eal/lcore/info,1", &v, NULL, 0), 0);
	assert_int_equal(json_integer_value(json_object_get(v, "busy_cycles")), l.busy_cycles);
	assert_int_equal(json_integer_value(json_object_get(v, "total_cycles")), l.total_cycles);
	json_decref(v);
	sl_cleanup();
	assert_int_equal(access(path, F_OK), -1);

	assert_true(sl_init(4, argv_off) > 0);
	assert_null(sl_telemetry_path());
	sl_cleanup();

	/* --metrics the user gave and that cannot be served fails sl_init() */
	assert_true(sl_init(5, argv_bad) < 0);
	assert_true(log_capture_has(&cap, "--metrics", "nonsense:x"));
	assert_false(sl_initialized());
	assert_null(sl_telemetry_path());
}

static void test_launch_busy(void **state)
{
	struct sl_config cfg;
	int go = 0;

	(void)state;
	if (nb_cpus() < 2)
		skip();
	sl_config_defaults(&cfg);
	cfg.lcores = "0,1";
	cfg.file_prefix = "busy";
	assert_int_equal(sl_init_config(&cfg), 0);
	assert_int_equal(sl_lcore_launch(1, spin_until, &go), 0);
	assert_int_equal(sl_lcore_launch(1, spin_until, &go), -EBUSY);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	assert_int_equal(sl_lcore_wait(1), 7);
}

static void test_impossible_core_lists(void **state)
{
	struct sl_config cfg;
	char big[32];

	(void)state;
	sl_config_defaults(&cfg);
	snprintf(big, sizeof(big), "%d-%d", nb_cpus() + 3, nb_cpus() + 5);
	cfg.lcores = big;
	assert_int_equal(sl_init_config(&cfg), -EINVAL);
	assert_true(log_capture_has(&cap, big, "not available to this process"));
	cfg.lcores = "0-x";
	assert_int_equal(sl_init_config(&cfg), -EINVAL);
	assert_true(log_capture_has(&cap, "core list '0-x' is not valid", NULL));
	cfg.lcores = "3-1";
	assert_int_equal(sl_init_config(&cfg), -EINVAL);
	cfg.lcores = "0";
	cfg.main_lcore = 1;
	assert_int_equal(sl_init_config(&cfg), -EINVAL);
	assert_true(log_capture_has(&cap, "main lcore 1 is not in the core list 0", NULL));
	cfg.main_lcore = -1;
	cfg.node_mem_limit[5] = 1 << 20;
	assert_int_equal(sl_init_config(&cfg), -EINVAL);
	assert_true(log_capture_has(&cap, "--socket-mem names node 5", NULL));
	cfg.node_mem_limit[5] = 0;
	cfg.file_prefix = "../escape";
	assert_int_equal(sl_init_config(&cfg), -EINVAL);
	assert_true(log_capture_has(&cap, "file prefix '../escape'", NULL));
	assert_false(sl_initialized());
}

/* Two processes with one prefix: the second is refused and told the fix. */
static int init_in_child(const char *prefix, int wait_fd)
{
	struct sl_config cfg;
	char go;
	int rc;

	if (read(wait_fd, &go, 1) != 1)
		return 2;
	sl_config_defaults(&cfg);
	cfg.lcores = "0";
	cfg.file_prefix = prefix;
	rc = sl_init_config(&cfg);
	if (rc == 0)
		sl_cleanup();
	return rc == 0 ? 0 : rc == -EBUSY ? 16 : 1;
}

static int child_result(const char *prefix)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(init_in_child(prefix, fds[0]));
	assert_int_equal(write(fds[1], "g", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fds[0]);
	close(fds[1]);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_prefix_in_use(void **state)
{
	struct sl_config cfg;
	int fds[2], status;
	pid_t pid;

	(void)state;
	/* The child is forked before this process initialises, so it starts clean. */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(init_in_child("shared", fds[0]));
	sl_config_defaults(&cfg);
	cfg.lcores = "0";
	cfg.file_prefix = "shared";
	assert_int_equal(sl_init_config(&cfg), 0);
	assert_int_equal(write(fds[1], "g", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 16); /* -EBUSY */
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(sl_cleanup(), 0);
	/* Once released, the prefix can be taken again. */
	assert_int_equal(child_result("shared"), 0);
}

static void test_tsc_frequency_matches_clock(void **state)
{
	uint64_t hz = sl_tsc_hz(), t0, c0, t1, c1;
	double ratio;

	(void)state;
	assert_true(hz > 100000000ull && hz < 10000000000ull);
	t0 = sl_time_ns();
	c0 = sl_rdtsc();
	sl_delay_us(50000);
	t1 = sl_time_ns();
	c1 = sl_rdtsc();
	assert_true(t1 - t0 >= 50000000ull);
	ratio = (double)(c1 - c0) / (double)hz / ((double)(t1 - t0) / 1e9);
	assert_true(ratio > 0.9 && ratio < 1.1);
}

static void test_reinit_after_cleanup(void **state)
{
	struct sl_config cfg;
	void *p;

	(void)state;
	sl_config_defaults(&cfg);
	cfg.file_prefix = "again";
	cfg.mem_limit = 8u << 20;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(sl_init_config(&cfg), 0);
		p = sl_malloc(1 << 20, 0, SL_NODE_ANY);
		assert_non_null(p);
		assert_null(sl_malloc(16u << 20, 0, SL_NODE_ANY));
		assert_int_equal(sl_cleanup(), 0);
	}
}

/* DPDK's EAL options: -c, --vdev=X, --in-memory and the accepted-with-a-notice ones. */
static void test_parse_dpdk_options(void **state)
{
	char *a1[] = {"app",
		      "-c",
		      "0x3",
		      "-n",
		      "4",
		      "--no-pci",
		      "--vdev=net_null0",
		      "--single-file-segments",
		      "-a",
		      "0000:01:00.0",
		      "-b",
		      "02:00.1,x=1",
		      "--huge-dir",
		      "/dev/hugepages",
		      "--proc-type=auto",
		      "--in-memory",
		      "--",
		      NULL};
	char *a2[] = {"app", "-c", "5", "--in-memory", "--file-prefix", "mine", NULL};
	char *a3[] = {"app", "-c", "0x0", NULL};
	char *a4[] = {"app", "-c", "0xg", NULL};
	char prefix[32];
	struct sl_config cfg;

	(void)state;
	sl_config_defaults(&cfg);
	assert_int_equal(sl_config_parse(&cfg, 17, a1), 16);
	assert_string_equal(cfg.lcores, "0-1");
	assert_int_equal(cfg.nb_vdevs, 1);
	assert_string_equal(cfg.vdevs[0], "net_null0");
	assert_true(cfg.in_memory);
	snprintf(prefix, sizeof(prefix), "sluice-%d", (int)getpid());
	assert_string_equal(cfg.file_prefix, prefix); /* a per-process runtime directory */
	assert_int_not_equal(cfg.noted, 0);
	sl_config_defaults(&cfg);
	assert_int_equal(sl_config_parse(&cfg, 6, a2), 5);
	assert_string_equal(cfg.lcores, "0,2");
	assert_string_equal(cfg.file_prefix, "mine"); /* an explicit prefix wins */
	assert_int_equal(cfg.noted, 0);
	assert_int_equal(sl_config_parse(&cfg, 3, a3), -EINVAL);
	assert_true(log_capture_has(&cap, "-c '0x0' is not a core mask", "-l 0-1"));
	assert_int_equal(sl_config_parse(&cfg, 3, a4), -EINVAL);
	assert_true(log_capture_has(&cap, "-c '0xg' is not a core mask", NULL));
}

/* The notices come from sl_init_config(), after the levels are set, one per option. */
static void test_dpdk_options_notices(void **state)
{
	char *argv[] = {
		"app",		 "-n",	    "4",	 "--no-pci", "--huge-dir", "/mnt/huge",
		"--file-prefix", "notices", "--no-huge", NULL};
	char *quiet[] = {"app",		  "-n",	     "4",	  "--log-level", "lib.eal:error",
			 "--file-prefix", "notices", "--no-huge", NULL};

	(void)state;
	assert_int_equal(sl_init(9, argv), 8);
	assert_true(log_capture_has(&cap, "runtime: notice: -n: no effect: ", NULL));
	assert_true(log_capture_has(&cap, "runtime: notice: --no-pci: no effect: ", "--vdev"));
	assert_true(log_capture_has(&cap, "--huge-dir: no effect: ", "MFD_HUGETLB"));
	assert_int_equal(sl_cleanup(), 0);
	log_capture_start(&cap);
	assert_int_equal(sl_init(8, quiet), 7);
	assert_false(log_capture_has(&cap, "no effect", NULL));
	assert_int_equal(sl_cleanup(), 0);
	sl_log_set_levels("*:notice");
}

static void test_dpdk_options_refused(void **state)
{
	char *sec[] = {"app", "--proc-type", "secondary", NULL};
	char *bad_type[] = {"app", "--proc-type=tertiary", NULL};
	char *vdev[] = {"app", "-a", "net_null0", NULL};
	char *nchan[] = {"app", "-n", "four", NULL};
	char *novalue[] = {"app", "--huge-dir", NULL};
	struct sl_config cfg;

	(void)state;
	sl_config_defaults(&cfg);
	assert_int_equal(sl_config_parse(&cfg, 3, sec), -EINVAL);
	assert_true(log_capture_has(&cap, "--proc-type secondary: Sluice has no multi-process mode",
				    "net_memif"));
	assert_int_equal(sl_config_parse(&cfg, 2, bad_type), -EINVAL);
	assert_true(log_capture_has(&cap, "--proc-type 'tertiary' is not a process type", NULL));
	assert_int_equal(sl_config_parse(&cfg, 3, vdev), -EINVAL);
	assert_true(log_capture_has(&cap, "-a/--allow 'net_null0' is not a PCI address",
				    "--vdev net_null0"));
	assert_int_equal(sl_config_parse(&cfg, 3, nchan), -EINVAL);
	assert_true(log_capture_has(&cap, "-n 'four' is not a number", NULL));
	assert_int_equal(sl_config_parse(&cfg, 2, novalue), -EINVAL);
	assert_true(log_capture_has(&cap, "option '--huge-dir' needs a value", NULL));
}

/* --log-level: DPDK's type names, level words and regex form become our rules. */
static void test_log_level_dpdk_forms(void **state)
{
	static const struct {
		const char *spec, *rules;
	} cases[] = {
		{"ring:debug", "ring:debug"},
		{"8", "*:8"},
		{"emerg", "*:error"},
		{"lib.eal:debug", "runtime:debug,memory:debug"},
		{"lib.ethdev:info", "port:info"},
		{"pmd.net.af_xdp:8", "net_af_xdp:8"},
		{"pmd.net.*:debug", "net_*:debug"},
		{"pmd\\.net\\..*,8", "net_*:8"},
		{"*:warning,pool:info", "*:warning,pool:info"},
	};
	char *two[] = {"app", "--log-level=lib.mempool:debug", "--log-level", "lib.mbuf:7", NULL};
	char *bad[] = {"app", "--log-level", "pmd.net.null:loud", NULL};
	struct sl_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char opt[64];
		char *argv[] = {"app", opt, NULL};

		snprintf(opt, sizeof(opt), "--log-level=%s", cases[i].spec);
		sl_config_defaults(&cfg);
		assert_int_equal(sl_config_parse(&cfg, 2, argv), 1);
		assert_string_equal(cfg.log_levels, cases[i].rules);
		assert_int_equal(sl_log_set_levels(cfg.log_levels), 0);
	}
	sl_config_defaults(&cfg);
	assert_int_equal(sl_config_parse(&cfg, 4, two), 3);
	assert_string_equal(cfg.log_levels, "pool:debug,pktbuf:7");
	assert_int_equal(sl_config_parse(&cfg, 3, bad), -EINVAL);
	assert_true(log_capture_has(&cap, "--log-level 'pmd.net.null:loud' is not valid", NULL));
	sl_log_set_levels("*:notice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_stops_at_first_app_argument, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_dpdk_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpdk_options_notices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpdk_options_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_level_dpdk_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_config_says_what_it_chose, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_workers_pinned_and_return_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_launch_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_telemetry_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_impossible_core_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tsc_frequency_matches_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reinit_after_cleanup, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
