/*
 * Ctrl-C while the main thread is blocked in C.
 *
 * Python's SIGINT handler only sets a flag; the main thread sees it when it
 * runs Python code again, which a call blocked in kzv (a stalled read, a long
 * seek, the processor's run) does not do. So, around such calls on the main
 * thread, Python's signal wake-up fd (signal.set_wakeup_fd) points at a pipe
 * that a watcher thread reads. When SIGINT arrives, the watcher waits a grace
 * period (most calls return within milliseconds and then Python raises
 * KeyboardInterrupt itself, leaving the decoder usable) and then cancels
 * every guarded call still running: kzv_decoder_interrupt() or
 * kzv_processor_stop(), both callable from any thread. The caller sees the
 * guard fired, runs PyErr_CheckSignals() and so raises KeyboardInterrupt.
 *
 * A wake-up fd the program had set (asyncio sets one) gets every byte
 * forwarded, and is put back when the outermost guarded call returns.
 *
 * The watcher thread starts on first use and lives until the interpreter
 * exits (Py_AtExit). Guards nest (a processor callback may seek another
 * decoder); only the outermost one swaps the wake-up fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "kzvpy.h"

#define GRACE_NS (150 * INT64_C(1000000))
#define POLL_MS 20
#define SLICE_NS (50 * INT64_C(1000000))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static kzvpy_guard *guards;          /* active guards, innermost first (lock) */
static int depth;                    /* main thread only, with the GIL */
static int pipe_fd[2] = { -1, -1 };  /* Python writes signal numbers to [1] */
static int saved_fd = -1;            /* the program's wake-up fd while ours is set (lock) */
static int64_t sigint_at;            /* when a SIGINT arrived that no guard has seen (lock) */
static pthread_t watcher;
static bool watcher_running;
static unsigned long main_ident;
static PyObject *set_wakeup;         /* signal.set_wakeup_fd */

int64_t kzvpy_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Cancel what is still running a grace period after a SIGINT (lock held). */
static void fire_if_due(int64_t now)
{
    if (!sigint_at || now - sigint_at < GRACE_NS)
        return;
    for (kzvpy_guard *g = guards; g; g = g->next)
        if (!g->fired) {
            g->fired = true;
            g->cancel(g->target);
        }
    sigint_at = 0;
}

static void *watch(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        int timeout = sigint_at ? POLL_MS : -1;
        pthread_mutex_unlock(&lock);
        struct pollfd p = { .fd = pipe_fd[0], .events = POLLIN };
        int r = poll(&p, 1, timeout);
        if (r < 0 && errno != EINTR)
            return NULL;
        unsigned char buf[64];
        ssize_t n = r > 0 ? read(pipe_fd[0], buf, sizeof(buf)) : 0;
        pthread_mutex_lock(&lock);
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == 0) {             /* the exit request */
                pthread_mutex_unlock(&lock);
                return NULL;
            }
            if (saved_fd >= 0) {
                ssize_t w = write(saved_fd, &buf[i], 1);
                (void)w;                   /* a full pipe drops it, as Python's own write does */
            }
            if (buf[i] == SIGINT && guards && !sigint_at)
                sigint_at = kzvpy_now_ns();
        }
        fire_if_due(kzvpy_now_ns());
        pthread_mutex_unlock(&lock);
    }
}

static void stop_watcher(void)
{
    if (!watcher_running)
        return;
    unsigned char quit = 0;
    if (write(pipe_fd[1], &quit, 1) == 1)
        pthread_join(watcher, NULL);
    watcher_running = false;
}

/* In a forked child the watcher does not exist: it starts again on next use
 * (the pipe and any guard state stay as they were). */
static void after_fork_child(void)
{
    pthread_mutex_init(&lock, NULL);
    watcher_running = false;
}

/* signal.set_wakeup_fd(fd): PySignal_SetWakeupFd() is not exported by
 * CPython. @return the previous fd, or -2 when it failed (error cleared). */
static int set_wakeup_fd(int fd)
{
    PyObject *args = Py_BuildValue("(i)", fd);
    PyObject *kw = Py_BuildValue("{s:O}", "warn_on_full_buffer", Py_False);
    PyObject *r = args && kw ? PyObject_Call(set_wakeup, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    long old = r ? PyLong_AsLong(r) : -2;
    Py_XDECREF(r);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return -2;
    }
    return (int)old;
}

int kzvpy_interrupt_init(void)
{
    PyObject *threading = PyImport_ImportModule("threading");
    if (!threading)
        return -1;
    PyObject *mt = PyObject_CallMethod(threading, "main_thread", NULL);
    PyObject *ident = mt ? PyObject_GetAttrString(mt, "ident") : NULL;
    Py_DECREF(threading);
    Py_XDECREF(mt);
    if (!ident)
        return -1;
    main_ident = PyLong_AsUnsignedLong(ident);
    Py_DECREF(ident);
    if (PyErr_Occurred())
        return -1;
    PyObject *signal = PyImport_ImportModule("signal");
    set_wakeup = signal ? PyObject_GetAttrString(signal, "set_wakeup_fd") : NULL;
    Py_XDECREF(signal);
    if (!set_wakeup)
        return -1;
    pthread_atfork(NULL, NULL, after_fork_child);
    Py_AtExit(stop_watcher);
    return 0;
}

/* The pipe and the thread, on first use. @return false when they cannot be
 * had (then calls are simply not guarded). */
static bool start_watcher(void)
{
    if (watcher_running)
        return true;
    if (pipe_fd[0] < 0 && pipe2(pipe_fd, O_NONBLOCK | O_CLOEXEC) < 0)
        return false;
    /* The read end blocks in poll(), not in read(): keep it non-blocking. */
    if (pthread_create(&watcher, NULL, watch, NULL) != 0)
        return false;
    watcher_running = true;
    return true;
}

void kzvpy_guard_begin(kzvpy_guard *g, void (*cancel)(void *), void *target)
{
    *g = (kzvpy_guard){ .cancel = cancel, .target = target };
    if (PyThread_get_thread_ident() != main_ident || !start_watcher())
        return;
    if (depth == 0) {
        int old = set_wakeup_fd(pipe_fd[1]);
        if (old == -2)
            return;              /* not settable here: unguarded */
        pthread_mutex_lock(&lock);
        saved_fd = old == pipe_fd[1] ? -1 : old;
        pthread_mutex_unlock(&lock);
    }
    depth++;
    g->active = true;
    pthread_mutex_lock(&lock);
    g->next = guards;
    guards = g;
    pthread_mutex_unlock(&lock);
}

bool kzvpy_guard_end(kzvpy_guard *g)
{
    if (!g->active)
        return false;
    pthread_mutex_lock(&lock);
    for (kzvpy_guard **p = &guards; *p; p = &(*p)->next)
        if (*p == g) {
            *p = g->next;
            break;
        }
    bool fired = g->fired;
    int restore = saved_fd;
    if (!guards)
        sigint_at = 0;   /* nothing left to cancel; Python handles the signal */
    pthread_mutex_unlock(&lock);
    g->active = false;
    if (--depth == 0) {
        PyObject *exc = kzvpy_fetch_exception();     /* keep the call's own error */
        int cur = set_wakeup_fd(restore);
        if (cur >= 0 && cur != pipe_fd[1])           /* replaced during the call: keep theirs */
            set_wakeup_fd(cur);
        kzvpy_restore_exception(exc);
        pthread_mutex_lock(&lock);
        saved_fd = -1;
        pthread_mutex_unlock(&lock);
    }
    return fired;
}

void kzvpy_cancel_decoder(void *decoder)
{
    kzv_decoder_interrupt(decoder);
}

int kzvpy_sliced_wait(int (*op)(void *ctx, int64_t timeout_ns), void *ctx, int64_t timeout_ns)
{
    /* A negative or huge timeout (dequeue(timeout=1e300)) waits forever: no
     * signed overflow on the way (UBSan found now + timeout wrapping). */
    int64_t now = kzvpy_now_ns();
    int64_t deadline = timeout_ns < 0 || timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
    for (;;) {
        int64_t slice = 0;
        if (timeout_ns != 0) {
            int64_t left = deadline == INT64_MAX ? SLICE_NS : deadline - kzvpy_now_ns();
            slice = left < 0 ? 0 : (left < SLICE_NS ? left : SLICE_NS);
        }
        int err;
        Py_BEGIN_ALLOW_THREADS
        err = op(ctx, slice);
        Py_END_ALLOW_THREADS
        if (err != KZV_ETIMEDOUT && !(err == KZV_EAGAIN && timeout_ns != 0))
            return err;
        if (PyErr_CheckSignals() < 0)
            return INT_MIN;
        if (timeout_ns == 0)
            return err;
        if (deadline != INT64_MAX && kzvpy_now_ns() >= deadline)
            return KZV_ETIMEDOUT;
    }
}
