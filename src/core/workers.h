/*
 * A tiny persistent worker pool for data-parallel jobs (kzv internal).
 *
 * kzv_workers_run(w, fn, arg, n) calls fn(arg, i, n) once for every i in
 * [0, n), spread over the pool's helper threads and the calling thread, and
 * returns when all n calls have returned. Jobs are handed out in increasing
 * order from a shared counter, so a slow job never stalls the others.
 *
 * A pool of `threads` runs at most `threads` jobs at once: it owns
 * threads - 1 helper threads (created once, asleep on a condition variable
 * between runs) and the caller is the last one. threads == 1 creates no thread
 * at all and runs every job on the caller.
 *
 * Thread-safety: kzv_workers_run() may be called from any thread; concurrent
 * calls on the same pool are serialised (each waits for the one before). fn
 * must not call kzv_workers_run() on the same pool (that would deadlock).
 */
#ifndef KZV_SRC_CORE_WORKERS_H
#define KZV_SRC_CORE_WORKERS_H

typedef struct kzv_workers kzv_workers;

/** One job: `job` is in [0, njobs). */
typedef void (*kzv_job_fn)(void *arg, int job, int njobs);

/**
 * Create a pool able to run `threads` jobs at once (the caller included).
 * @param threads 1..64; 0 = the number of online CPUs (capped at 64).
 * @param out receives the pool (owned by the caller; kzv_workers_destroy()).
 * @return KZV_OK, KZV_EINVAL or KZV_ENOMEM (no thread could be started).
 */
int kzv_workers_create(kzv_workers **out, int threads);

/** Number of jobs the pool runs at once (helper threads + the caller). */
int kzv_workers_threads(const kzv_workers *w);

/** Run fn(arg, i, njobs) for i in [0, njobs) and wait for all of them.
 *  w == NULL runs them all on the calling thread. */
void kzv_workers_run(kzv_workers *w, kzv_job_fn fn, void *arg, int njobs);

/** Stop and join the helper threads, free the pool, set *w to NULL.
 *  NULL or *w == NULL is accepted. Must not race with kzv_workers_run(). */
void kzv_workers_destroy(kzv_workers **w);

#endif
