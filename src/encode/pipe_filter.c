/* An external filter process; see pipe_filter.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/frame_internal.h"
#include "kzv/common.h"
#include "encode/pipe_filter.h"

extern char **environ;

struct kzv_pipe_filter {
    pid_t pid;
    int in_fd;              /* the filter's stdin (we write) */
    int out_fd;             /* the filter's stdout (we read) */
    int out_w, out_h;
    kzv_pixfmt fmt;
    int bpp;
    int64_t timeout_ms;
    const atomic_bool *stop;
    uint8_t *inbuf;         /* a tight copy of a padded input frame */
    size_t inbuf_size;
    int64_t frames;         /* frames completed */
    char cmd[256];          /* for messages */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Describe how the child ended (reaps it when it has). The child is the
 * shell, leader of the filter's own process group: before it is reaped, while
 * its pid (the group's id) cannot be reused, whatever it left running in the
 * group is killed, so a filter never outlives its finish (`sh -c CMD` forks
 * CMD, and a stalled CMD would otherwise sleep on as an orphan). */
static void child_status(kzv_pipe_filter *p, char *buf, size_t n, bool wait)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (p->pid <= 0 || waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOWAIT | (wait ? 0 : WNOHANG)) < 0 ||
        si.si_pid != p->pid) {
        snprintf(buf, n, "it is still running");
        return;
    }
    kill(-p->pid, SIGKILL);
    int st = 0;
    while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
        ;
    p->pid = -1;
    if (WIFEXITED(st))
        snprintf(buf, n, "it exited with status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, n, "it was killed by signal %d", WTERMSIG(st));
    else
        snprintf(buf, n, "it stopped");
}

int kzv_pipe_filter_start(kzv_pipe_filter **out, const char *cmd, int out_w, int out_h, kzv_pixfmt fmt,
                          int64_t timeout_ms, const atomic_bool *stop, char *err, size_t n)
{
    *out = NULL;
    if (!cmd || !*cmd || out_w < 1 || out_h < 1 || (fmt != KZV_PIXFMT_RGB24 && fmt != KZV_PIXFMT_RGB48))
        return snprintf(err, n, "filter: bad command, size or format"), KZV_EINVAL;
    kzv_pipe_filter *p = calloc(1, sizeof(*p));
    if (!p)
        return snprintf(err, n, "out of memory"), KZV_ENOMEM;
    p->pid = -1;
    p->in_fd = p->out_fd = -1;
    p->out_w = out_w;
    p->out_h = out_h;
    p->fmt = fmt;
    p->bpp = fmt == KZV_PIXFMT_RGB48 ? 6 : 3;
    p->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
    p->stop = stop;
    snprintf(p->cmd, sizeof(p->cmd), "%s", cmd);
    int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
    if (pipe2(to_child, O_CLOEXEC) < 0 || pipe2(from_child, O_CLOEXEC) < 0) {
        snprintf(err, n, "filter: cannot create pipes: %s", strerror(errno));
        goto fail;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from_child[1], 1);
    /* The child starts with default SIGPIPE handling and no blocked signals. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    /* Its own process group (pgid = its pid), so that the whole filter can be
     * killed (child_status()); a Ctrl-C at the terminal reaches kzv, which
     * stops it. */
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
    int e = posix_spawn(&p->pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (e != 0) {
        p->pid = -1;
        snprintf(err, n, "filter: cannot start /bin/sh: %s", strerror(e));
        goto fail;
    }
    close(to_child[0]);
    close(from_child[1]);
    p->in_fd = to_child[1];
    p->out_fd = from_child[0];
    fcntl(p->in_fd, F_SETFL, fcntl(p->in_fd, F_GETFL) | O_NONBLOCK);
    fcntl(p->out_fd, F_SETFL, fcntl(p->out_fd, F_GETFL) | O_NONBLOCK);
    *out = p;
    return KZV_OK;
fail:
    for (int i = 0; i < 2; i++) {
        if (to_child[i] >= 0)
            close(to_child[i]);
        if (from_child[i] >= 0)
            close(from_child[i]);
    }
    free(p);
    return KZV_EIO;
}

/* write() with SIGPIPE blocked in this thread: a dead reader gives EPIPE. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t len)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t w = write(fd, buf, len);
    int saved = errno;
    if (w < 0 && errno == EPIPE && !sigismember(&old, SIGPIPE)) {
        /* Consume the SIGPIPE this write raised before unblocking it. */
        struct timespec zero = { 0, 0 };
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return w;
}

int kzv_pipe_filter_run(kzv_pipe_filter *p, const kzv_frame *in, kzv_frame **out, char *err, size_t n)
{
    *out = NULL;
    if (in->format != p->fmt)
        return snprintf(err, n, "filter: frame is %s, the filter takes %s", kzv_pixfmt_name(in->format),
                        kzv_pixfmt_name(p->fmt)), KZV_EINVAL;
    size_t row = (size_t)in->width * (size_t)p->bpp;
    size_t in_size = row * (size_t)in->height;
    const uint8_t *src = in->data[0];
    if ((size_t)in->stride[0] != row) {
        if (p->inbuf_size < in_size) {
            uint8_t *b = realloc(p->inbuf, in_size);
            if (!b)
                return snprintf(err, n, "out of memory"), KZV_ENOMEM;
            p->inbuf = b;
            p->inbuf_size = in_size;
        }
        for (int y = 0; y < in->height; y++)
            memcpy(p->inbuf + (size_t)y * row, in->data[0] + (size_t)y * (size_t)in->stride[0], row);
        src = p->inbuf;
    }
    kzv_frame *o = NULL;
    int e = kzv_frame_alloc(&o, p->out_w, p->out_h, p->fmt);
    if (e < 0)
        return snprintf(err, n, "out of memory"), e;
    size_t out_size = (size_t)p->out_w * (size_t)p->bpp * (size_t)p->out_h;  /* tight: one block */
    size_t wrote = 0, got = 0;
    int64_t last = now_ms();
    char why[128];
    while (got < out_size) {
        struct pollfd fds[2];
        int nf = 0, wi = -1, ri;
        if (wrote < in_size) {
            wi = nf;
            fds[nf++] = (struct pollfd){ .fd = p->in_fd, .events = POLLOUT };
        }
        ri = nf;
        fds[nf++] = (struct pollfd){ .fd = p->out_fd, .events = POLLIN };
        int r = poll(fds, (nfds_t)nf, 100);
        if (r < 0 && errno != EINTR) {
            snprintf(err, n, "filter: poll failed: %s", strerror(errno));
            e = KZV_EIO;
            goto fail;
        }
        if (p->stop && atomic_load(p->stop)) {
            snprintf(err, n, "filter: stopped");
            e = KZV_ECANCELED;
            goto fail;
        }
        bool progress = false;
        if (r > 0 && wi >= 0 && (fds[wi].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write_nosigpipe(p->in_fd, src + wrote, in_size - wrote);
            if (w > 0) {
                wrote += (size_t)w;
                progress = true;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                child_status(p, why, sizeof(why), false);
                snprintf(err, n, "filter '%s' stopped reading its input at frame %" PRId64
                         " (%zu of %zu bytes written; %s)", p->cmd, p->frames, wrote, in_size, why);
                e = KZV_EIO;
                goto fail;
            }
        }
        if (r > 0 && (fds[ri].revents & (POLLIN | POLLERR | POLLHUP))) {
            ssize_t g = read(p->out_fd, o->data[0] + got, out_size - got);
            if (g > 0) {
                got += (size_t)g;
                progress = true;
            } else if (g == 0) {
                /* Give the child a moment to exit so the message can say how. */
                for (int i = 0; i < 20 && p->pid > 0; i++) {
                    child_status(p, why, sizeof(why), false);
                    if (p->pid < 0)
                        break;
                    usleep(10000);
                }
                if (p->pid > 0)
                    snprintf(why, sizeof(why), "it closed its output");
                snprintf(err, n, "filter '%s' ended its output at frame %" PRId64 " after %zu of %zu bytes "
                         "(expected %dx%d %s per input frame; %s)", p->cmd, p->frames, got, out_size,
                         p->out_w, p->out_h, kzv_pixfmt_name(p->fmt), why);
                e = KZV_EIO;
                goto fail;
            } else if (errno != EAGAIN && errno != EINTR) {
                snprintf(err, n, "filter: read failed: %s", strerror(errno));
                e = KZV_EIO;
                goto fail;
            }
        }
        int64_t t = now_ms();
        if (progress)
            last = t;
        else if (t - last > p->timeout_ms) {
            snprintf(err, n, "filter '%s' made no progress for %.1f s at frame %" PRId64 " (%zu of %zu input "
                     "bytes written, %zu of %zu output bytes read): stalled", p->cmd, (double)p->timeout_ms / 1000,
                     p->frames, wrote, in_size, got, out_size);
            e = KZV_ETIMEDOUT;
            goto fail;
        }
    }
    if (wrote < in_size) {
        snprintf(err, n, "filter '%s' wrote its output frame %" PRId64 " before reading all of its input "
                 "(%zu of %zu bytes)", p->cmd, p->frames, wrote, in_size);
        e = KZV_EIO;
        goto fail;
    }
    kzv_frame_copy_props(o, in);
    p->frames++;
    *out = o;
    return KZV_OK;
fail:
    kzv_frame_unref(&o);
    return e;
}

int kzv_pipe_filter_finish(kzv_pipe_filter **pp, bool check, char *err, size_t n)
{
    if (!pp || !*pp)
        return KZV_OK;
    kzv_pipe_filter *p = *pp;
    *pp = NULL;
    int e = KZV_OK;
    if (p->in_fd >= 0)
        close(p->in_fd);
    /* Anything more on its output is a broken filter (more frames than
     * inputs). Wait for EOF or the deadline. */
    int64_t deadline = now_ms() + (check ? p->timeout_ms : 0);
    size_t extra = 0;
    while (p->out_fd >= 0) {
        struct pollfd fd = { .fd = p->out_fd, .events = POLLIN };
        int64_t left = deadline - now_ms();
        if (left <= 0 || poll(&fd, 1, (int)(left < 100 ? left : 100)) < 0)
            break;
        if (!fd.revents)
            continue;
        uint8_t buf[4096];
        ssize_t g = read(p->out_fd, buf, sizeof(buf));
        if (g > 0)
            extra += (size_t)g;
        else if (g == 0 || (errno != EAGAIN && errno != EINTR))
            break;
    }
    if (p->out_fd >= 0)
        close(p->out_fd);
    char why[128] = "";
    if (p->pid > 0) {
        child_status(p, why, sizeof(why), false);
        if (p->pid > 0) {           /* still running: it gets a moment, then is killed */
            for (int i = 0; i < (check ? 50 : 5) && p->pid > 0; i++) {
                usleep(10000);
                child_status(p, why, sizeof(why), false);
            }
            if (p->pid > 0) {
                kill(-p->pid, SIGKILL);     /* the group: the shell and what it started */
                child_status(p, why, sizeof(why), true);
                if (check) {
                    snprintf(err, n, "filter '%s' did not exit after its input ended (killed)", p->cmd);
                    e = KZV_EIO;
                }
            }
        }
    }
    if (check && e == KZV_OK && extra) {
        snprintf(err, n, "filter '%s' wrote %zu bytes more than one frame per input frame", p->cmd, extra);
        e = KZV_EIO;
    }
    if (check && e == KZV_OK && strcmp(why, "it exited with status 0") != 0 && why[0]) {
        snprintf(err, n, "filter '%s' failed: %s", p->cmd, why);
        e = KZV_EIO;
    }
    free(p->inbuf);
    free(p);
    return e;
}
