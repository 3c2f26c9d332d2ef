/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper: a reader thread that registers a tid with an rcu domain and then does
 * exactly what the test tells it (quiescent, offline, online, unregister), so a test
 * decides when a grace period can pass (rcu_reader_spawn() leaves the registering to the
 * test).  The test thread's own waits never count it as quiescent (see sl_rcu.h).
 * rcu_reader_do() runs a command and waits for it; rcu_reader_post() runs it after a delay
 * without waiting (for tests of blocking waits), rcu_reader_join() waits for that.
 */
#ifndef SL_TEST_RCU_READER_H
#define SL_TEST_RCU_READER_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "sl_rcu.h"

enum rcu_reader_cmd {
	RR_NONE,
	RR_REGISTER,
	RR_QUIESCENT,
	RR_OFFLINE,
	RR_ONLINE,
	RR_UNREGISTER,
	RR_EXIT,
};

struct rcu_reader {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sl_rcu *rcu;
	unsigned tid;
	enum rcu_reader_cmd cmd; /* (test) the command to run, RR_NONE once done (reader) */
	unsigned delay_us;	 /* (test) sleep before running it */
	int rc;			 /* (reader) what register/unregister returned */
	int armed;		 /* (reader) atomic: 1 just before a posted command runs */
};

static inline void *rcu_reader_main(void *arg)
{
	struct rcu_reader *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		enum rcu_reader_cmd cmd;

		while (r->cmd == RR_NONE)
			pthread_cond_wait(&r->cond, &r->lock);
		cmd = r->cmd;
		if (r->delay_us) {
			struct timespec ts = {.tv_sec = r->delay_us / 1000000,
					      .tv_nsec = (long)(r->delay_us % 1000000) * 1000};

			pthread_mutex_unlock(&r->lock);
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&r->lock);
		}
		__atomic_store_n(&r->armed, 1, __ATOMIC_SEQ_CST);
		switch (cmd) {
		case RR_REGISTER:
			r->rc = sl_rcu_thread_register(r->rcu, r->tid);
			break;
		case RR_QUIESCENT:
			sl_rcu_quiescent(r->rcu, r->tid);
			break;
		case RR_OFFLINE:
			sl_rcu_thread_offline(r->rcu, r->tid);
			break;
		case RR_ONLINE:
			sl_rcu_thread_online(r->rcu, r->tid);
			break;
		case RR_UNREGISTER:
			r->rc = sl_rcu_thread_unregister(r->rcu, r->tid);
			break;
		default:
			break;
		}
		r->cmd = RR_NONE;
		pthread_cond_broadcast(&r->cond);
		if (cmd == RR_EXIT)
			break;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Runs cmd on the reader after delay_us, without waiting for it. */
static inline void rcu_reader_post(struct rcu_reader *r, enum rcu_reader_cmd cmd, unsigned delay_us)
{
	pthread_mutex_lock(&r->lock);
	while (r->cmd != RR_NONE)
		pthread_cond_wait(&r->cond, &r->lock);
	__atomic_store_n(&r->armed, 0, __ATOMIC_SEQ_CST);
	r->delay_us = delay_us;
	r->cmd = cmd;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* Waits until the last command ran; returns its rc (register/unregister). */
static inline int rcu_reader_join(struct rcu_reader *r)
{
	int rc;

	pthread_mutex_lock(&r->lock);
	while (r->cmd != RR_NONE)
		pthread_cond_wait(&r->cond, &r->lock);
	rc = r->rc;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static inline int rcu_reader_do(struct rcu_reader *r, enum rcu_reader_cmd cmd)
{
	rcu_reader_post(r, cmd, 0);
	return rcu_reader_join(r);
}

/* Starts the thread for tid, which the caller registered (as a control thread registers
 * its workers' tids).  Returns 0 or -1. */
static inline int rcu_reader_spawn(struct rcu_reader *r, struct sl_rcu *rcu, unsigned tid)
{
	*r = (struct rcu_reader){.rcu = rcu, .tid = tid};
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	return pthread_create(&r->thread, NULL, rcu_reader_main, r) == 0 ? 0 : -1;
}

/* Starts the thread and has it register tid; returns what register returned. */
static inline int rcu_reader_start(struct rcu_reader *r, struct sl_rcu *rcu, unsigned tid)
{
	if (rcu_reader_spawn(r, rcu, tid) != 0)
		return -1;
	return rcu_reader_do(r, RR_REGISTER);
}

/* Unregisters the tid if asked to, then ends the thread. */
static inline void rcu_reader_stop(struct rcu_reader *r, bool unregister)
{
	if (unregister)
		rcu_reader_do(r, RR_UNREGISTER);
	rcu_reader_do(r, RR_EXIT);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
}

#endif
