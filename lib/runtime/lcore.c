/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker threads: one per enabled core, pinned, sleeping on a condition variable until
 * sl_lcore_launch() hands it a function.  Launching is control path; what runs is the
 * fast path, so a worker never touches its mutex while the function runs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "runtime_priv.h"

enum lcore_state { IDLE, RUNNING, DONE, EXITING };

struct lcore {
	bool enabled;
	bool worker;
	int node;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum lcore_state state;
	sl_lcore_fn fn;
	void *arg;
	int ret;
};

__thread uint32_t sl_lcore_self = SL_LCORE_ANY;

static struct lcore lcores[SL_MAX_LCORE];
struct sl_lcore_load sl_lcore_loads[SL_MAX_LCORE];
static uint32_t main_id = SL_LCORE_ANY;
static unsigned nb_enabled;

void sl_lcore_load_get(uint32_t id, struct sl_lcore_load *out)
{
	const struct sl_lcore_load *l = &sl_lcore_loads[id < SL_MAX_LCORE ? id : 0];

	if (id >= SL_MAX_LCORE) {
		memset(out, 0, sizeof(*out));
		return;
	}
	out->busy_cycles = __atomic_load_n(&l->busy_cycles, __ATOMIC_RELAXED);
	out->total_cycles = __atomic_load_n(&l->total_cycles, __ATOMIC_RELAXED);
	out->rounds = __atomic_load_n(&l->rounds, __ATOMIC_RELAXED);
	out->last_tsc = 0; /* the lcore's own state: not copied */
	out->pending = out->idle_round = 0;
	out->exact_left = 0;
	out->pending_busy = false;
}

/* An idle round measured exactly: the estimate follows cheaper rounds at once and dearer
 * ones slowly, and ignores a round 8 times the estimate (the thread was preempted). */
static void idle_learn(struct sl_lcore_load *l, uint64_t d)
{
	uint64_t est = l->idle_round;

	if (est == 0 || d < est)
		est = est == 0 ? d : (est + d) / 2;
	else if (d < 8 * est)
		est += (d - est) / 32;
	l->idle_round = (uint32_t)SL_MIN(est, (uint64_t)UINT32_MAX);
}

/* Adds to the published counters (the lcore is their only writer). */
static void publish(struct sl_lcore_load *l, uint64_t d, uint64_t busy_add, uint64_t rounds)
{
	__atomic_store_n(&l->total_cycles, l->total_cycles + d, __ATOMIC_RELAXED);
	__atomic_store_n(&l->busy_cycles, l->busy_cycles + busy_add, __ATOMIC_RELAXED);
	__atomic_store_n(&l->rounds, l->rounds + rounds, __ATOMIC_RELAXED);
}

void sl_lcore__measure(struct sl_lcore_load *l, bool busy, uint64_t now)
{
	uint64_t d = l->last_tsc ? now - l->last_tsc : 0, idle, busy_add;
	uint32_t n = l->pending; /* rounds of kind pending_busy before this one */

	if (n == 0 || busy == l->pending_busy) {
		busy_add = busy ? d : 0;
		if (!busy && n == 0 && l->last_tsc)
			idle_learn(l, d);
	} else {
		/* the end of a lazy run: n rounds of one kind, then this round of the other */
		idle = busy ? (uint64_t)n * l->idle_round : l->idle_round;
		busy_add = d - SL_MIN(idle, d);
	}
	if (l->last_tsc == 0 || busy != l->pending_busy)
		l->exact_left = SL_LCORE_EXACT_ROUNDS;
	else if (l->exact_left)
		l->exact_left--;
	publish(l, d, busy_add, n + 1);
	l->last_tsc = now;
	l->pending = 0;
	l->pending_busy = busy;
}

void sl_lcore_load_flush(void)
{
	struct sl_lcore_load *l;
	uint64_t d;

	if (sl_lcore_self >= SL_MAX_LCORE)
		return;
	l = &sl_lcore_loads[sl_lcore_self];
	if (l->pending > 0 && l->last_tsc != 0) {
		d = sl_rdtsc() - l->last_tsc;
		publish(l, d, l->pending_busy ? d : 0, l->pending);
	}
	/* the loop stopped: the time until its next round is not the loop's */
	l->last_tsc = 0;
	l->pending = 0;
}

uint32_t sl_lcore_main(void)
{
	return main_id;
}

unsigned sl_lcore_count(void)
{
	return nb_enabled;
}

bool sl_lcore_is_enabled(uint32_t id)
{
	return id < SL_MAX_LCORE && lcores[id].enabled;
}

int sl_lcore_node(uint32_t id)
{
	return id < SL_MAX_LCORE ? lcores[id].node : 0;
}

uint32_t sl_lcore_next(uint32_t prev, bool skip_main)
{
	for (uint32_t i = prev == SL_LCORE_ANY ? 0 : prev + 1; i < SL_MAX_LCORE; i++)
		if (lcores[i].enabled && !(skip_main && i == main_id))
			return i;
	return SL_LCORE_ANY;
}

static void *worker_loop(void *arg)
{
	struct lcore *lc = arg;

	sl_lcore_self = (uint32_t)(lc - lcores);
	pthread_mutex_lock(&lc->lock);
	for (;;) {
		while (lc->state == IDLE || lc->state == DONE)
			pthread_cond_wait(&lc->cond, &lc->lock);
		if (lc->state == EXITING)
			break;
		pthread_mutex_unlock(&lc->lock);
		int ret = lc->fn(lc->arg);

		sl_lcore_load_flush();
		pthread_mutex_lock(&lc->lock);
		lc->ret = ret;
		lc->state = DONE;
		pthread_cond_broadcast(&lc->cond);
	}
	pthread_mutex_unlock(&lc->lock);
	return NULL;
}

static int pin(pthread_t t, uint32_t cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(t, sizeof(set), &set);
}

int lcores_start(const cpu_set_t *set, uint32_t main_lcore, const int *cpu_node, bool workers)
{
	int rc;

	nb_enabled = 0;
	for (uint32_t i = 0; i < SL_MAX_LCORE; i++) {
		struct lcore *lc = &lcores[i];

		memset(lc, 0, sizeof(*lc));
		memset(&sl_lcore_loads[i], 0, sizeof(sl_lcore_loads[i]));
		if (!CPU_ISSET(i, set))
			continue;
		lc->enabled = true;
		lc->node = cpu_node[i];
		nb_enabled++;
	}
	main_id = main_lcore;
	sl_lcore_self = main_lcore;
	rc = pin(pthread_self(), main_lcore);
	if (rc < 0) {
		SL_LOG(runtime, ERR, "cannot pin the main thread to core %u: %s", main_lcore,
		       strerror(-rc));
		return rc;
	}
	if (!workers)
		return 0;
	for (uint32_t i = 0; i < SL_MAX_LCORE; i++) {
		struct lcore *lc = &lcores[i];
		char name[16];

		if (!lc->enabled || i == main_lcore)
			continue;
		pthread_mutex_init(&lc->lock, NULL);
		pthread_cond_init(&lc->cond, NULL);
		lc->state = IDLE;
		rc = -pthread_create(&lc->thread, NULL, worker_loop, lc);
		if (rc == 0)
			rc = pin(lc->thread, i);
		if (rc < 0) {
			SL_LOG(runtime, ERR, "cannot start the worker for core %u: %s", i,
			       strerror(-rc));
			lcores_stop();
			return rc;
		}
		lc->worker = true;
		snprintf(name, sizeof(name), "sl-worker-%u", i);
		pthread_setname_np(lc->thread, name);
	}
	return 0;
}

void lcores_stop(void)
{
	for (uint32_t i = 0; i < SL_MAX_LCORE; i++) {
		struct lcore *lc = &lcores[i];

		if (!lc->worker)
			continue;
		pthread_mutex_lock(&lc->lock);
		while (lc->state == RUNNING)
			pthread_cond_wait(&lc->cond, &lc->lock);
		lc->state = EXITING;
		pthread_cond_broadcast(&lc->cond);
		pthread_mutex_unlock(&lc->lock);
		pthread_join(lc->thread, NULL);
		pthread_cond_destroy(&lc->cond);
		pthread_mutex_destroy(&lc->lock);
		lc->worker = false;
	}
	memset(lcores, 0, sizeof(lcores));
	nb_enabled = 0;
	main_id = SL_LCORE_ANY;
	sl_lcore_self = SL_LCORE_ANY;
}

int sl_lcore_launch(uint32_t id, sl_lcore_fn fn, void *arg)
{
	struct lcore *lc;

	if (id >= SL_MAX_LCORE || !lcores[id].worker || fn == NULL) {
		SL_LOG(runtime, ERR, "cannot launch on lcore %u: not a worker lcore (workers: %s)",
		       id, nb_enabled > 1 ? "see -l" : "none; give -l with two or more cores");
		return -EINVAL;
	}
	lc = &lcores[id];
	pthread_mutex_lock(&lc->lock);
	if (lc->state == RUNNING) {
		pthread_mutex_unlock(&lc->lock);
		return -EBUSY;
	}
	lc->fn = fn;
	lc->arg = arg;
	lc->ret = 0;
	lc->state = RUNNING;
	pthread_cond_broadcast(&lc->cond);
	pthread_mutex_unlock(&lc->lock);
	return 0;
}

int sl_lcore_launch_all(sl_lcore_fn fn, void *arg, bool call_main)
{
	uint32_t i;
	int rc;

	SL_LCORE_FOREACH_WORKER(i) {
		if (lcores[i].worker && lcores[i].state == RUNNING)
			return -EBUSY;
	}
	SL_LCORE_FOREACH_WORKER(i) {
		if (!lcores[i].worker)
			continue;
		rc = sl_lcore_launch(i, fn, arg);
		if (rc < 0)
			return rc;
	}
	if (call_main)
		return fn(arg);
	return 0;
}

int sl_lcore_wait(uint32_t id)
{
	struct lcore *lc;
	int ret;

	if (id >= SL_MAX_LCORE || !lcores[id].worker)
		return 0;
	lc = &lcores[id];
	pthread_mutex_lock(&lc->lock);
	while (lc->state == RUNNING)
		pthread_cond_wait(&lc->cond, &lc->lock);
	ret = lc->state == DONE ? lc->ret : 0;
	if (lc->state == DONE)
		lc->state = IDLE;
	pthread_mutex_unlock(&lc->lock);
	return ret;
}

int sl_lcore_wait_all(void)
{
	int first = 0;
	uint32_t i;

	SL_LCORE_FOREACH_WORKER(i) {
		int ret = sl_lcore_wait(i);

		if (ret != 0 && first == 0)
			first = ret;
	}
	return first;
}
