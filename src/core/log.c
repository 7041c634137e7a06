/* Logging: a process-wide callback (default: stderr, warnings and worse),
 * per-component overrides, and the bridge that captures FFmpeg's av_log. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/log.h>

#include "core/log.h"

static pthread_mutex_t g_log_lock = PTHREAD_MUTEX_INITIALIZER;
static kzv_log_fn g_log_fn;        /* NULL = default stderr logger */
static void *g_log_user;
static atomic_int g_log_level = KZV_LOG_WARNING;

static void default_log(void *user, kzv_log_level level, const char *msg)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    (void)user;
    const char *name = level >= KZV_LOG_ERROR && level <= KZV_LOG_DEBUG ? names[level] : "log";
    fprintf(stderr, "kzv: %s: %s\n", name, msg);
}

void kzv_set_log_callback(kzv_log_fn fn, void *user)
{
    pthread_mutex_lock(&g_log_lock);
    g_log_fn = fn;
    g_log_user = user;
    pthread_mutex_unlock(&g_log_lock);
}

void kzv_set_log_level(kzv_log_level level)
{
    atomic_store(&g_log_level, level);
}

static void emit(const kzv_logger *lg, kzv_log_level level, const char *msg)
{
    if (lg && lg->fn) {
        lg->fn(lg->user, level, msg);
        return;
    }
    if ((int)level > atomic_load(&g_log_level))
        return;
    /* Hold the lock across the call so a concurrent kzv_set_log_callback()
     * cannot pull `user` away from under a running callback. */
    pthread_mutex_lock(&g_log_lock);
    kzv_log_fn fn = g_log_fn ? g_log_fn : default_log;
    fn(g_log_user, level, msg);
    pthread_mutex_unlock(&g_log_lock);
}

void kzv_log(const kzv_logger *lg, kzv_log_level level, const char *fmt, ...)
{
    if (!(lg && lg->fn) && (int)level > atomic_load(&g_log_level))
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    emit(lg, level, buf);
}

static kzv_log_level from_av_level(int level)
{
    if (level <= AV_LOG_ERROR)   return KZV_LOG_ERROR;
    if (level <= AV_LOG_WARNING) return KZV_LOG_WARNING;
    if (level <= AV_LOG_INFO)    return KZV_LOG_INFO;
    return KZV_LOG_DEBUG;
}

/* FFmpeg may deliver one line in pieces; assemble per thread. */
static _Thread_local char t_line[1024];
static _Thread_local size_t t_len;

static void ffmpeg_log(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_VERBOSE)
        return;
    kzv_log_level kl = from_av_level(level);
    /* A missing hardware device is an expected outcome of probing (kzv
     * falls back to software and says so itself at info level). */
    if (avcl && kl < KZV_LOG_INFO) {
        const AVClass *cls = *(const AVClass **)avcl;
        if (cls && cls->class_name && !strcmp(cls->class_name, "AVHWDeviceContext"))
            kl = KZV_LOG_INFO;
    }
    if ((int)kl > atomic_load(&g_log_level))
        return;
    char piece[1024];
    vsnprintf(piece, sizeof(piece), fmt, vl);
    if (t_len == 0 && avcl) {
        const AVClass *cls = *(const AVClass **)avcl;
        if (cls && cls->item_name)
            t_len = (size_t)snprintf(t_line, sizeof(t_line), "ffmpeg[%s]: ", cls->item_name(avcl));
        if (t_len >= sizeof(t_line))
            t_len = sizeof(t_line) - 1;
    }
    size_t n = strlen(piece);
    if (n > sizeof(t_line) - 1 - t_len)
        n = sizeof(t_line) - 1 - t_len;
    memcpy(t_line + t_len, piece, n);
    t_len += n;
    t_line[t_len] = '\0';
    if (t_len && (t_line[t_len - 1] == '\n' || t_len == sizeof(t_line) - 1)) {
        kzv_log(NULL, kl, "%s", t_line);
        t_len = 0;
    }
}

static pthread_once_t g_bridge_once = PTHREAD_ONCE_INIT;

static void install_bridge(void)
{
    av_log_set_callback(ffmpeg_log);
}

void kzv_log_install_ffmpeg_bridge(void)
{
    pthread_once(&g_bridge_once, install_bridge);
}
