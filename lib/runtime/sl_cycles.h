/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cycle counter.  sl_rdtsc() reads the TSC (invariant on every x86-64 CPU that has
 * constant_tsc/nonstop_tsc); sl_tsc_hz() is its frequency, measured once by sl_init()
 * against CLOCK_MONOTONIC_RAW (or on first use when the runtime is not initialised).
 */
#ifndef SL_CYCLES_H
#define SL_CYCLES_H

#include <stdint.h>

static inline uint64_t sl_rdtsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	extern uint64_t sl_cycles_fallback(void);
	return sl_cycles_fallback();
#endif
}

/* Ordered TSC read: earlier loads and stores complete first (for timing short code). */
static inline uint64_t sl_rdtsc_ordered(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned aux;
	return __builtin_ia32_rdtscp(&aux);
#else
	return sl_rdtsc();
#endif
}

/* TSC ticks per second; measured once (about 20 ms) and then cached.  Thread-safe. */
uint64_t sl_tsc_hz(void);

/* Monotonic nanoseconds (CLOCK_MONOTONIC); a syscall-free vDSO read. */
uint64_t sl_time_ns(void);

/* Busy-waits for the given number of microseconds. */
void sl_delay_us(unsigned us);

#endif
