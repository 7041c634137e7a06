/*
 * Timing helpers shared by the micro-benchmarks in bench/ (header-only: each
 * benchmark is one program). Never used by the library or the tests.
 */
#ifndef KZV_BENCH_UTIL_H
#define KZV_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the whole process (every thread), seconds. */
static inline double bench_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef int (*bench_run_fn)(void *ctx);

/* Seconds per call of fn(ctx): two warm-up calls, then calls for about
 * min_s (at least 5, at most 400). Returns the fastest call (on a busy
 * machine, the one least disturbed by other processes) and stores the
 * median in *median when it is not NULL; -1 when a call fails. */
static inline double bench_time_it(bench_run_fn fn, void *ctx, double min_s, double *median)
{
    double t[400];
    int n = 0;
    if (fn(ctx) < 0 || fn(ctx) < 0)
        return -1;
    double start = bench_now_s();
    while (n < 400 && (n < 5 || bench_now_s() - start < min_s)) {
        double t0 = bench_now_s();
        if (fn(ctx) < 0)
            return -1;
        t[n++] = bench_now_s() - t0;
    }
    qsort(t, (size_t)n, sizeof(double), bench_cmp_double);
    if (median)
        *median = t[n / 2];
    return t[0];
}

/* The median alone, -1 when a call fails. */
static inline double bench_median(bench_run_fn fn, void *ctx, double min_s)
{
    double median = -1;
    return bench_time_it(fn, ctx, min_s, &median) < 0 ? -1 : median;
}

#endif
