/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PMD threads and rx queue placement: the measurement, the placement algorithms, the
 * rebalance decision and the lock-free handoff of a queue between two workers (sl_pmd.h
 * has the protocol, docs/pmd.md the argument).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_common.h"
#include "sl_cycles.h"
#include "sl_log.h"
#include "sl_pmd.h"

SL_LOG_TYPE_DEFINE(pmd)

#define NONE ((int16_t)SL_PMD_NONE)

/* One rx queue, its data-path half: the owner writes the counters; ownership passes
 * through NONE (see sl_pmd.h), so the next owner's acquire of `owner` sees them whole. */
struct rxq {
	uint16_t port, queue;  /* (ctl) set before the queue is published, then fixed */
	int16_t target;	       /* (ctl) atomic: the worker that should poll it */
	int16_t owner;	       /* (dp) atomic: the poller; none -> w by w's CAS, w -> none by w */
	uint64_t busy;	       /* (dp owner) cycles of polls that returned packets */
	uint64_t packets;      /* (dp owner) packets received */
	uint64_t released_tsc; /* (dp owner) TSC when the last owner gave it up, 0: never */
	uint64_t moves;	       /* (dp owner) takes */
	uint64_t gap;	       /* (dp owner) cycles between the last give-up and take */
} SL_CACHE_ALIGNED;

/* The control thread's half of a queue: pin and the interval snapshots. */
struct rxq_ctl {
	int16_t pin;		       /* (ctl) worker, NONE */
	uint64_t busy0, packets0;      /* (ctl) counters at the interval's start */
	uint64_t ival_busy, ival_pkts; /* (ctl) the last interval's */
	double load;		       /* (ctl) % of the last interval */
};

struct worker {
	uint64_t ack;	  /* (dp) atomic: the generation it applied fully */
	uint64_t busy;	  /* (dp) counter: cycles of polls that returned packets */
	uint64_t total;	  /* (dp) counter: cycles between its first and last round */
	uint64_t packets; /* (dp) counter */
	uint64_t rounds;  /* (dp) counter */
	/* the worker's own, read by nobody else */
	uint64_t last_tsc; /* end of its last round, 0 before the first */
	uint64_t seen;	   /* the generation it last looked at */
	bool pending;	   /* a queue targeted at it is still another's */
	unsigned nb;	   /* queues it polls, idx[0..nb) */
	uint16_t idx[SL_PMD_MAX_RXQ];
} SL_CACHE_ALIGNED;

struct worker_ctl {
	uint32_t lcore;
	bool isolated;			/* (ctl) by the last placement */
	uint64_t busy0, total0;		/* (ctl) counters at the interval's start */
	uint64_t ival_busy, ival_total; /* (ctl) the last interval's */
	double busy_pct;		/* (ctl) the last interval's */
};

struct sl_pmd {
	uint64_t gen;	     /* (ctl) atomic: bumped after each change of targets */
	unsigned nb_rxq;     /* (ctl) atomic: queues published */
	uint64_t rebalances; /* (ctl) atomic: applied */
	char name[32];
	unsigned nb_workers;
	enum sl_pmd_assign assign;
	bool no_isolate, auto_lb;
	uint8_t load_pct, improve_pct;
	uint32_t interval_ms;
	uint64_t interval_cycles;	   /* interval_ms in TSC cycles */
	uint64_t poll_cap;		   /* SL_PMD_POLL_CAP_US in TSC cycles */
	uint64_t ival_start;		   /* (ctl) TSC */
	uint64_t ival_cycles;		   /* (ctl) length of the last interval */
	bool measured;			   /* (ctl) an interval ended */
	bool have_last;			   /* (ctl) last holds a rebalance */
	struct sl_pmd_rebalance_info last; /* (ctl) */
	struct rxq *rxq;		   /* [SL_PMD_MAX_RXQ] */
	struct rxq_ctl *rc;		   /* [SL_PMD_MAX_RXQ] */
	struct worker *w;		   /* [nb_workers] */
	struct worker_ctl *wc;		   /* [nb_workers] */
};

static const char *const assign_names[] = {
	[SL_PMD_ASSIGN_CYCLES] = "cycles",
	[SL_PMD_ASSIGN_ROUNDROBIN] = "roundrobin",
};

int sl_pmd_assign_parse(const char *word)
{
	for (unsigned m = 0; m < SL_ARRAY_SIZE(assign_names); m++)
		if (word && strcmp(word, assign_names[m]) == 0)
			return (int)m;
	SL_LOG(pmd, ERR, "rxq assignment '%s' is not known; use cycles or roundrobin",
	       word ? word : "(null)");
	return -EINVAL;
}

const char *sl_pmd_assign_name(enum sl_pmd_assign mode)
{
	return (unsigned)mode < SL_ARRAY_SIZE(assign_names) ? assign_names[mode] : "?";
}

static void *zalloc_aligned(size_t size)
{
	void *p = aligned_alloc(SL_CACHE_LINE, SL_ALIGN_UP(size, SL_CACHE_LINE));

	if (p)
		memset(p, 0, size);
	return p;
}

struct sl_pmd *sl_pmd_create(const struct sl_pmd_config *c)
{
	struct sl_pmd *s;

	if (c == NULL) {
		SL_LOG(pmd, ERR, "pmd config is NULL; give a struct sl_pmd_config");
		errno = EINVAL;
		return NULL;
	}
	if (c->nb_workers < 1 || c->nb_workers > SL_PMD_MAX_WORKERS) {
		SL_LOG(pmd, ERR, "pmd %s: %u workers; give 1 to %d", c->name ? c->name : "",
		       c->nb_workers, SL_PMD_MAX_WORKERS);
		errno = EINVAL;
		return NULL;
	}
	if ((unsigned)c->assign >= SL_ARRAY_SIZE(assign_names)) {
		SL_LOG(pmd, ERR,
		       "pmd %s: assignment mode %d is not known; use cycles or roundrobin",
		       c->name ? c->name : "", (int)c->assign);
		errno = EINVAL;
		return NULL;
	}
	if (c->load_pct > 100 || c->improve_pct > 100) {
		SL_LOG(pmd, ERR,
		       "pmd %s: load threshold %u%% / improvement %u%%; give 1 to 100 (0: default)",
		       c->name ? c->name : "", c->load_pct, c->improve_pct);
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	s->rxq = zalloc_aligned(SL_PMD_MAX_RXQ * sizeof(*s->rxq));
	s->rc = calloc(SL_PMD_MAX_RXQ, sizeof(*s->rc));
	s->w = zalloc_aligned(c->nb_workers * sizeof(*s->w));
	s->wc = calloc(c->nb_workers, sizeof(*s->wc));
	if (!s->rxq || !s->rc || !s->w || !s->wc)
		goto free_set;
	snprintf(s->name, sizeof(s->name), "%s", c->name ? c->name : "pmd");
	s->nb_workers = c->nb_workers;
	s->assign = c->assign;
	s->no_isolate = c->no_isolate;
	s->auto_lb = c->auto_lb;
	s->load_pct = c->load_pct ? c->load_pct : SL_PMD_DEFAULT_LOAD_PCT;
	s->improve_pct = c->improve_pct ? c->improve_pct : SL_PMD_DEFAULT_IMPROVE_PCT;
	s->interval_ms = c->interval_ms ? c->interval_ms : SL_PMD_DEFAULT_INTERVAL_MS;
	s->interval_cycles = sl_tsc_hz() / 1000 * s->interval_ms;
	s->poll_cap = sl_tsc_hz() / 1000000 * SL_PMD_POLL_CAP_US;
	for (unsigned w = 0; w < c->nb_workers; w++)
		s->wc[w].lcore = c->lcores ? c->lcores[w] : UINT32_MAX;
	for (unsigned q = 0; q < SL_PMD_MAX_RXQ; q++) {
		s->rxq[q].target = s->rxq[q].owner = NONE;
		s->rc[q].pin = NONE;
	}
	s->ival_start = sl_rdtsc();
	return s;

free_set:
	free(s->rxq);
	free(s->rc);
	free(s->w);
	free(s->wc);
	free(s);
fail:
	errno = ENOMEM;
	return NULL;
}

void sl_pmd_free(struct sl_pmd *s)
{
	if (!s)
		return;
	free(s->rxq);
	free(s->rc);
	free(s->w);
	free(s->wc);
	free(s);
}

void sl_pmd_config_get(const struct sl_pmd *s, struct sl_pmd_config *o)
{
	memset(o, 0, sizeof(*o));
	o->nb_workers = s->nb_workers;
	o->assign = s->assign;
	o->no_isolate = s->no_isolate;
	o->auto_lb = s->auto_lb;
	o->interval_ms = s->interval_ms;
	o->load_pct = s->load_pct;
	o->improve_pct = s->improve_pct;
}

unsigned sl_pmd_nb_workers(const struct sl_pmd *s)
{
	return s->nb_workers;
}

unsigned sl_pmd_nb_rxq(const struct sl_pmd *s)
{
	return __atomic_load_n(&s->nb_rxq, __ATOMIC_ACQUIRE);
}

int sl_pmd_rxq_find(const struct sl_pmd *s, uint16_t port, uint16_t queue)
{
	for (unsigned q = 0; q < s->nb_rxq; q++)
		if (s->rxq[q].port == port && s->rxq[q].queue == queue)
			return (int)q;
	return -ENOENT;
}

int sl_pmd_rxq_add(struct sl_pmd *s, uint16_t port, uint16_t queue)
{
	unsigned n = s->nb_rxq;

	if (sl_pmd_rxq_find(s, port, queue) >= 0) {
		SL_LOG(pmd, ERR, "pmd %s: rx queue %u:%u is there already; add each queue once",
		       s->name, port, queue);
		return -EEXIST;
	}
	if (n == SL_PMD_MAX_RXQ) {
		SL_LOG(pmd, ERR, "pmd %s: no room for rx queue %u:%u: %d queues at most", s->name,
		       port, queue, SL_PMD_MAX_RXQ);
		return -ENOSPC;
	}
	s->rxq[n].port = port;
	s->rxq[n].queue = queue;
	__atomic_store_n(&s->nb_rxq, n + 1, __ATOMIC_RELEASE);
	return (int)n;
}

static int check_rxq(const struct sl_pmd *s, unsigned q, const char *what)
{
	if (q < s->nb_rxq)
		return 0;
	SL_LOG(pmd, ERR, "pmd %s: %s: no rx queue %u; the set has %u (0 to %u)", s->name, what, q,
	       s->nb_rxq, s->nb_rxq ? s->nb_rxq - 1 : 0);
	return -ENOENT;
}

int sl_pmd_rxq_pin(struct sl_pmd *s, unsigned q, int w)
{
	int rc = check_rxq(s, q, "pin");

	if (rc < 0)
		return rc;
	if (w != SL_PMD_NONE && (w < 0 || (unsigned)w >= s->nb_workers)) {
		SL_LOG(pmd, ERR,
		       "pmd %s: cannot pin rx queue %u:%u to worker %d; give 0 to %u (or -1 to unpin)",
		       s->name, s->rxq[q].port, s->rxq[q].queue, w, s->nb_workers - 1);
		return -EINVAL;
	}
	s->rc[q].pin = (int16_t)w;
	return 0;
}

/* --- placement --- */

struct plan {
	int16_t target[SL_PMD_MAX_RXQ];
	double wload[SL_PMD_MAX_WORKERS];
	unsigned count[SL_PMD_MAX_WORKERS];
	bool isolated[SL_PMD_MAX_WORKERS];
};

/* Sorts order[0..n) by load, largest first, ties by index (insertion sort: n is small
 * and this is the control path). */
static void sort_by_load(const struct rxq_ctl *rc, uint16_t *order, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint16_t x = order[i];
		unsigned j = i;

		while (j > 0 && (rc[order[j - 1]].load < rc[x].load ||
				 (rc[order[j - 1]].load == rc[x].load && order[j - 1] > x))) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
}

/* The placement of mode into p; 0 or -ENOSPC (every worker isolated, logged). */
static int plan_make(struct sl_pmd *s, enum sl_pmd_assign mode, struct plan *p)
{
	unsigned n = s->nb_rxq, nu = 0, rr = 0, free_workers = 0;
	uint16_t order[SL_PMD_MAX_RXQ];

	memset(p, 0, sizeof(*p));
	for (unsigned q = 0; q < n; q++) {
		int16_t pin = s->rc[q].pin;

		p->target[q] = pin;
		if (pin == NONE) {
			order[nu++] = (uint16_t)q;
			continue;
		}
		p->wload[pin] += s->rc[q].load;
		p->count[pin]++;
		p->isolated[pin] = !s->no_isolate;
	}
	for (unsigned w = 0; w < s->nb_workers; w++)
		free_workers += !p->isolated[w];
	if (nu == 0)
		return 0;
	if (free_workers == 0) {
		SL_LOG(pmd, ERR,
		       "pmd %s: every worker has a pinned queue, so %u unpinned queues have none; unpin one or make the set with no_isolate",
		       s->name, nu);
		return -ENOSPC;
	}
	if (mode == SL_PMD_ASSIGN_CYCLES) {
		sort_by_load(s->rc, order, nu);
	}
	for (unsigned i = 0; i < nu; i++) {
		uint16_t q = order[i];
		int16_t cur = __atomic_load_n(&s->rxq[q].target, __ATOMIC_RELAXED);
		int best = -1;

		if (mode == SL_PMD_ASSIGN_ROUNDROBIN) {
			while (p->isolated[rr % s->nb_workers])
				rr++;
			best = (int)(rr++ % s->nb_workers);
		} else {
			/* least loaded; then fewest queues; then where it is now (no needless
			 * move); then the lowest index */
			for (unsigned w = 0; w < s->nb_workers; w++) {
				if (p->isolated[w])
					continue;
				if (best < 0 || p->wload[w] < p->wload[best] ||
				    (p->wload[w] == p->wload[best] &&
				     (p->count[w] < p->count[best] ||
				      (p->count[w] == p->count[best] && (int)w == cur &&
				       best != cur))))
					best = (int)w;
			}
		}
		p->target[q] = (int16_t)best;
		p->wload[best] += s->rc[q].load;
		p->count[best]++;
	}
	return 0;
}

/* Variance of the loads of the workers that take unpinned queues (%^2). */
static double variance(const struct sl_pmd *s, const double *wload, const bool *isolated)
{
	double sum = 0, var = 0;
	unsigned k = 0;

	for (unsigned w = 0; w < s->nb_workers; w++)
		if (!isolated[w]) {
			sum += wload[w];
			k++;
		}
	if (k == 0)
		return 0;
	for (unsigned w = 0; w < s->nb_workers; w++)
		if (!isolated[w])
			var += (wload[w] - sum / k) * (wload[w] - sum / k);
	return var / k;
}

static unsigned plan_moves(const struct sl_pmd *s, const struct plan *p)
{
	unsigned m = 0;

	for (unsigned q = 0; q < s->nb_rxq; q++)
		m += p->target[q] != __atomic_load_n(&s->rxq[q].target, __ATOMIC_RELAXED);
	return m;
}

/* Publishes the plan's targets and a new generation; the workers do the rest. */
static void plan_apply(struct sl_pmd *s, const struct plan *p)
{
	for (unsigned q = 0; q < s->nb_rxq; q++)
		__atomic_store_n(&s->rxq[q].target, p->target[q], __ATOMIC_RELAXED);
	for (unsigned w = 0; w < s->nb_workers; w++)
		s->wc[w].isolated = p->isolated[w];
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELEASE);
}

int sl_pmd_assign(struct sl_pmd *s)
{
	struct plan p;
	unsigned moves;
	int rc = plan_make(s, s->assign, &p);

	if (rc < 0)
		return rc;
	moves = plan_moves(s, &p);
	plan_apply(s, &p);
	SL_LOG(pmd, INFO, "pmd %s: %u rx queues placed (%s), %u to a new worker", s->name,
	       s->nb_rxq, assign_names[s->assign], moves);
	return (int)moves;
}

/* The current placement's worker loads, isolation as the last placement made it. */
static void current_loads(const struct sl_pmd *s, double *wload, bool *isolated)
{
	for (unsigned w = 0; w < s->nb_workers; w++) {
		wload[w] = 0;
		isolated[w] = s->wc[w].isolated;
	}
	for (unsigned q = 0; q < s->nb_rxq; q++) {
		int16_t t = __atomic_load_n(&s->rxq[q].target, __ATOMIC_RELAXED);

		if (t != NONE)
			wload[t] += s->rc[q].load;
	}
}

static int rebalance(struct sl_pmd *s, bool force, bool automatic,
		     struct sl_pmd_rebalance_info *info)
{
	struct plan p;
	struct sl_pmd_rebalance_info r = {.automatic = automatic};
	double cur[SL_PMD_MAX_WORKERS];
	bool iso[SL_PMD_MAX_WORKERS];
	int rc;

	if (!s->measured) {
		SL_LOG(pmd, ERR,
		       "pmd %s: no interval measured yet; wait %u ms (the interval) and rebalance again",
		       s->name, s->interval_ms);
		return -ENODATA;
	}
	if (!sl_pmd_settled(s)) {
		SL_LOG(pmd, ERR,
		       "pmd %s: a move is still in flight (a worker has not taken its queue); try again",
		       s->name);
		return -EBUSY;
	}
	rc = plan_make(s, SL_PMD_ASSIGN_CYCLES, &p);
	if (rc < 0)
		return rc;
	current_loads(s, cur, iso);
	r.cur_var = variance(s, cur, iso);
	r.new_var = variance(s, p.wload, p.isolated);
	r.improve_pct = r.cur_var > 0 ? (r.cur_var - r.new_var) * 100 / r.cur_var : 0;
	r.moves = plan_moves(s, &p);
	r.applied = r.moves > 0 && (force || r.improve_pct >= s->improve_pct);
	if (r.applied) {
		plan_apply(s, &p);
		__atomic_store_n(&s->rebalances, s->rebalances + 1, __ATOMIC_RELAXED);
	}
	SL_LOG(pmd, NOTICE,
	       "pmd %s: %s rebalance: variance %.4g -> %.4g (%.0f%% better, %s %u%%): %s %u queue%s",
	       s->name,
	       automatic ? "automatic"
	       : force	 ? "forced"
			 : "asked",
	       r.cur_var, r.new_var, r.improve_pct, force ? "forced past" : "needs", s->improve_pct,
	       r.applied ? "moving" : "not moving", r.moves, r.moves == 1 ? "" : "s");
	s->last = r;
	s->have_last = true;
	if (info)
		*info = r;
	return r.applied ? (int)r.moves : 0;
}

int sl_pmd_rebalance(struct sl_pmd *s, bool force, struct sl_pmd_rebalance_info *info)
{
	return rebalance(s, force, false, info);
}

/* Auto-lb after an interval: a worker at least load_pct busy, then the improvement. */
static void auto_lb(struct sl_pmd *s)
{
	bool hot = false;

	for (unsigned w = 0; w < s->nb_workers; w++)
		hot |= !s->wc[w].isolated && s->wc[w].busy_pct >= s->load_pct;
	if (hot && sl_pmd_settled(s))
		rebalance(s, false, true, NULL);
}

void sl_pmd_interval_end(struct sl_pmd *s)
{
	uint64_t now = sl_rdtsc(), len = now - s->ival_start;

	s->ival_cycles = len ? len : 1;
	s->ival_start = now;
	for (unsigned q = 0; q < s->nb_rxq; q++) {
		struct rxq_ctl *c = &s->rc[q];
		uint64_t b = sl_counter_read(&s->rxq[q].busy);
		uint64_t k = sl_counter_read(&s->rxq[q].packets);

		c->ival_busy = b - c->busy0;
		c->ival_pkts = k - c->packets0;
		c->busy0 = b;
		c->packets0 = k;
		c->load = 100.0 * (double)c->ival_busy / (double)s->ival_cycles;
	}
	for (unsigned w = 0; w < s->nb_workers; w++) {
		struct worker_ctl *c = &s->wc[w];
		uint64_t b = sl_counter_read(&s->w[w].busy), t = sl_counter_read(&s->w[w].total);

		c->ival_busy = b - c->busy0;
		c->ival_total = t - c->total0;
		c->busy0 = b;
		c->total0 = t;
		c->busy_pct =
			c->ival_total ? 100.0 * (double)c->ival_busy / (double)c->ival_total : 0;
		if (c->busy_pct > 100)
			c->busy_pct = 100; /* its first round's busy time before total started */
	}
	s->measured = true;
}

int sl_pmd_tick(struct sl_pmd *s)
{
	if (sl_rdtsc() - s->ival_start < s->interval_cycles)
		return 0;
	sl_pmd_interval_end(s);
	if (s->auto_lb)
		auto_lb(s);
	return 1;
}

int sl_pmd_rxq_load_set(struct sl_pmd *s, unsigned q, double pct)
{
	int rc = check_rxq(s, q, "load_set");

	if (rc < 0)
		return rc;
	s->rc[q].load = pct;
	s->measured = true;
	/* the workers' busy % become the sums of their queues' */
	for (unsigned w = 0; w < s->nb_workers; w++)
		s->wc[w].busy_pct = 0;
	for (unsigned k = 0; k < s->nb_rxq; k++) {
		int16_t t = __atomic_load_n(&s->rxq[k].target, __ATOMIC_RELAXED);

		if (t != NONE)
			s->wc[t].busy_pct += s->rc[k].load;
	}
	return 0;
}

/* Test hook for auto-lb's decision on the loads set (sl_pmd_tick() runs it itself). */
int sl_pmd__auto_lb_check(struct sl_pmd *s);
int sl_pmd__auto_lb_check(struct sl_pmd *s)
{
	uint64_t before = s->rebalances;

	auto_lb(s);
	return (int)(s->rebalances - before);
}

bool sl_pmd_settled(const struct sl_pmd *s)
{
	unsigned n = sl_pmd_nb_rxq(s);

	for (unsigned q = 0; q < n; q++)
		if (__atomic_load_n(&s->rxq[q].owner, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&s->rxq[q].target, __ATOMIC_RELAXED))
			return false;
	return true;
}

/* --- the worker's side --- */

/* At a round boundary: gives up each queue no longer targeted at w, takes each queue
 * targeted at w that its last owner gave up, acknowledges gen once all are taken. */
static void handoff(struct sl_pmd *s, struct worker *wk, int16_t w, uint64_t gen)
{
	unsigned n = __atomic_load_n(&s->nb_rxq, __ATOMIC_ACQUIRE), k = 0;
	uint64_t now = sl_rdtsc();
	bool pending = false;

	for (unsigned i = 0; i < wk->nb; i++) {
		struct rxq *q = &s->rxq[wk->idx[i]];

		if (__atomic_load_n(&q->target, __ATOMIC_RELAXED) == w) {
			wk->idx[k++] = wk->idx[i];
			continue;
		}
		__atomic_store_n(&q->released_tsc, now, __ATOMIC_RELAXED);
		__atomic_store_n(&q->owner, NONE, __ATOMIC_RELEASE); /* the last burst is done */
	}
	wk->nb = k;
	for (unsigned r = 0; r < n; r++) {
		struct rxq *q = &s->rxq[r];
		int16_t none = NONE;
		uint64_t rel;

		if (__atomic_load_n(&q->target, __ATOMIC_RELAXED) != w ||
		    __atomic_load_n(&q->owner, __ATOMIC_ACQUIRE) == w)
			continue;
		if (!__atomic_compare_exchange_n(&q->owner, &none, w, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			pending = true; /* its owner has not reached a round boundary yet */
			continue;
		}
		rel = __atomic_load_n(&q->released_tsc, __ATOMIC_RELAXED);
		if (rel) {
			uint64_t t = sl_rdtsc(); /* given up after this round's `now`, maybe */

			__atomic_store_n(&q->gap, t > rel ? t - rel : 0, __ATOMIC_RELAXED);
		}
		sl_counter_add(&q->moves, 1);
		wk->idx[wk->nb++] = (uint16_t)r;
	}
	wk->seen = gen;
	wk->pending = pending;
	if (!pending)
		__atomic_store_n(&wk->ack, gen, __ATOMIC_RELEASE);
}

unsigned sl_pmd_poll(struct sl_pmd *s, unsigned w, sl_pmd_poll_fn fn, void *arg)
{
	struct worker *wk = &s->w[w];
	uint64_t gen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE), t, busy = 0;
	unsigned total = 0;

	if (sl_unlikely(gen != wk->seen || wk->pending))
		handoff(s, wk, (int16_t)w, gen);
	t = sl_rdtsc();
	if (sl_unlikely(wk->last_tsc == 0))
		wk->last_tsc = t;
	for (unsigned i = 0; i < wk->nb; i++) {
		struct rxq *q = &s->rxq[wk->idx[i]];
		uint16_t nb = fn(q->port, q->queue, arg);
		uint64_t t2 = sl_rdtsc();

		if (nb) {
			/* a burst never takes this long on a core of its own: the thread was
			 * preempted, and the time it waited is not the queue's load */
			uint64_t c = SL_MIN(t2 - t, s->poll_cap);

			sl_counter_add(&q->busy, c);
			sl_counter_add(&q->packets, nb);
			busy += c;
			total += nb;
		}
		t = t2;
	}
	sl_counter_add(&wk->total, t - wk->last_tsc);
	wk->last_tsc = t;
	if (busy) {
		sl_counter_add(&wk->busy, busy);
		sl_counter_add(&wk->packets, total);
	}
	sl_counter_add(&wk->rounds, 1);
	return total;
}

/* --- the view --- */

int sl_pmd_worker_stats(const struct sl_pmd *s, unsigned w, struct sl_pmd_worker_stats *o)
{
	unsigned n = sl_pmd_nb_rxq(s);

	if (w >= s->nb_workers) {
		SL_LOG(pmd, ERR, "pmd %s: no worker %u; give 0 to %u", s->name, w,
		       s->nb_workers - 1);
		return -EINVAL;
	}
	memset(o, 0, sizeof(*o));
	o->lcore = s->wc[w].lcore;
	o->isolated = s->wc[w].isolated;
	for (unsigned q = 0; q < n; q++)
		o->nb_rxq += __atomic_load_n(&s->rxq[q].owner, __ATOMIC_RELAXED) == (int16_t)w;
	o->busy_pct = s->wc[w].busy_pct;
	o->busy_cycles = s->wc[w].ival_busy;
	o->total_cycles = s->wc[w].ival_total;
	o->ack = __atomic_load_n(&s->w[w].ack, __ATOMIC_ACQUIRE);
	o->gen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
	o->packets = sl_counter_read(&s->w[w].packets);
	o->rounds = sl_counter_read(&s->w[w].rounds);
	return 0;
}

int sl_pmd_rxq_stats(const struct sl_pmd *s, unsigned q, struct sl_pmd_rxq_stats *o)
{
	const struct rxq *r;

	if (q >= sl_pmd_nb_rxq(s))
		return check_rxq(s, q, "stats");
	r = &s->rxq[q];
	memset(o, 0, sizeof(*o));
	o->port = r->port;
	o->queue = r->queue;
	o->target = __atomic_load_n(&r->target, __ATOMIC_RELAXED);
	o->owner = __atomic_load_n(&r->owner, __ATOMIC_ACQUIRE);
	o->pin = s->rc[q].pin;
	o->load_pct = s->rc[q].load;
	o->busy_cycles = s->rc[q].ival_busy;
	o->packets = s->rc[q].ival_pkts;
	o->total_packets = sl_counter_read(&r->packets);
	o->moves = sl_counter_read(&r->moves);
	o->last_gap_cycles = __atomic_load_n(&r->gap, __ATOMIC_RELAXED);
	return 0;
}

int sl_pmd_last_rebalance(const struct sl_pmd *s, struct sl_pmd_rebalance_info *out)
{
	if (!s->have_last)
		return -ENODATA;
	*out = s->last;
	return 0;
}

uint64_t sl_pmd_rebalances(const struct sl_pmd *s)
{
	return __atomic_load_n(&s->rebalances, __ATOMIC_RELAXED);
}

int sl_pmd_format(const struct sl_pmd *s, const char *const *port_names, char *buf, size_t size)
{
	size_t len = 0;
	unsigned n = sl_pmd_nb_rxq(s);

#define OUT(...)                                                                                   \
	len += (size_t)snprintf(buf + SL_MIN(len, size), len < size ? size - len : 0, __VA_ARGS__)
	if (size)
		buf[0] = '\0';
	for (unsigned w = 0; w < s->nb_workers; w++) {
		struct sl_pmd_worker_stats ws;

		sl_pmd_worker_stats(s, w, &ws);
		OUT("pmd %u", w);
		if (ws.lcore != UINT32_MAX)
			OUT(" lcore %u", ws.lcore);
		OUT(" busy %.1f%%%s%s\n", ws.busy_pct, ws.isolated ? " isolated" : "",
		    ws.ack != ws.gen ? " moving" : "");
		for (unsigned q = 0; q < n; q++) {
			struct sl_pmd_rxq_stats rs;

			sl_pmd_rxq_stats(s, q, &rs);
			if (rs.owner != (int)w && rs.target != (int)w)
				continue;
			OUT("  port %u", rs.port);
			if (port_names && port_names[rs.port])
				OUT(" (%s)", port_names[rs.port]);
			OUT(" queue %u usage %.1f%%%s%s\n", rs.queue, rs.load_pct,
			    rs.pin != SL_PMD_NONE ? " pinned" : "",
			    rs.owner != rs.target ? (rs.target == (int)w ? " arriving" : " leaving")
						  : "");
		}
	}
	for (unsigned q = 0; q < n; q++) {
		struct sl_pmd_rxq_stats rs;

		sl_pmd_rxq_stats(s, q, &rs);
		if (rs.target == SL_PMD_NONE && rs.owner == SL_PMD_NONE)
			OUT("unplaced: port %u queue %u\n", rs.port, rs.queue);
	}
#undef OUT
	return (int)len;
}
