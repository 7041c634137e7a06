/* A tiny persistent worker pool; see workers.h. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "kzv/common.h"
#include "core/workers.h"

#define KZV_WORKERS_MAX 64

struct kzv_workers {
    pthread_mutex_t run_lock;   /* serialises kzv_workers_run() callers */
    pthread_mutex_t lock;       /* guards everything below */
    pthread_cond_t work_cv;     /* helpers wait here for jobs or quit */
    pthread_cond_t done_cv;     /* the runner waits here for pending == 0 */
    kzv_job_fn fn;
    void *arg;
    int njobs, next, pending;
    int quit;
    int nhelpers;               /* helper threads actually running */
    int threads;                /* nhelpers + 1 */
    pthread_t tid[KZV_WORKERS_MAX];
};

/* Claim and run jobs until none is left; called with w->lock held, returns
 * with it held. */
static void drain(kzv_workers *w)
{
    while (w->next < w->njobs) {
        int j = w->next++;
        kzv_job_fn fn = w->fn;
        void *arg = w->arg;
        int n = w->njobs;
        pthread_mutex_unlock(&w->lock);
        fn(arg, j, n);
        pthread_mutex_lock(&w->lock);
        if (--w->pending == 0)
            pthread_cond_signal(&w->done_cv);
    }
}

static void *helper_main(void *p)
{
    kzv_workers *w = p;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->quit && w->next >= w->njobs)
            pthread_cond_wait(&w->work_cv, &w->lock);
        if (w->quit)
            break;
        drain(w);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int kzv_workers_create(kzv_workers **out, int threads)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    if (threads < 0 || threads > KZV_WORKERS_MAX)
        return KZV_EINVAL;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > KZV_WORKERS_MAX ? KZV_WORKERS_MAX : (int)n;
    }
    kzv_workers *w = calloc(1, sizeof(*w));
    if (!w)
        return KZV_ENOMEM;
    if (pthread_mutex_init(&w->run_lock, NULL)) {
        free(w);
        return KZV_ENOMEM;
    }
    if (pthread_mutex_init(&w->lock, NULL)) {
        pthread_mutex_destroy(&w->run_lock);
        free(w);
        return KZV_ENOMEM;
    }
    if (pthread_cond_init(&w->work_cv, NULL)) {
        pthread_mutex_destroy(&w->lock);
        pthread_mutex_destroy(&w->run_lock);
        free(w);
        return KZV_ENOMEM;
    }
    if (pthread_cond_init(&w->done_cv, NULL)) {
        pthread_cond_destroy(&w->work_cv);
        pthread_mutex_destroy(&w->lock);
        pthread_mutex_destroy(&w->run_lock);
        free(w);
        return KZV_ENOMEM;
    }
    for (int i = 0; i < threads - 1; i++) {
        if (pthread_create(&w->tid[i], NULL, helper_main, w))
            break;      /* fewer helpers: still correct, just less parallel */
        w->nhelpers++;
    }
    w->threads = w->nhelpers + 1;
    *out = w;
    return KZV_OK;
}

int kzv_workers_threads(const kzv_workers *w)
{
    return w ? w->threads : 1;
}

void kzv_workers_run(kzv_workers *w, kzv_job_fn fn, void *arg, int njobs)
{
    if (njobs <= 0)
        return;
    if (!w || w->nhelpers == 0 || njobs == 1) {
        for (int i = 0; i < njobs; i++)
            fn(arg, i, njobs);
        return;
    }
    pthread_mutex_lock(&w->run_lock);
    pthread_mutex_lock(&w->lock);
    w->fn = fn;
    w->arg = arg;
    w->njobs = njobs;
    w->next = 0;
    w->pending = njobs;
    pthread_cond_broadcast(&w->work_cv);
    drain(w);
    while (w->pending > 0)
        pthread_cond_wait(&w->done_cv, &w->lock);
    w->fn = NULL;
    w->arg = NULL;
    w->njobs = w->next = 0;
    pthread_mutex_unlock(&w->lock);
    pthread_mutex_unlock(&w->run_lock);
}

void kzv_workers_destroy(kzv_workers **pw)
{
    if (!pw || !*pw)
        return;
    kzv_workers *w = *pw;
    pthread_mutex_lock(&w->lock);
    w->quit = 1;
    pthread_cond_broadcast(&w->work_cv);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->nhelpers; i++)
        pthread_join(w->tid[i], NULL);
    pthread_cond_destroy(&w->done_cv);
    pthread_cond_destroy(&w->work_cv);
    pthread_mutex_destroy(&w->lock);
    pthread_mutex_destroy(&w->run_lock);
    free(w);
    *pw = NULL;
}
