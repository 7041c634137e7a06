/* Internal logging: one place that decides where a message goes. */
#ifndef KZV_SRC_CORE_LOG_H
#define KZV_SRC_CORE_LOG_H

#include "kzv/common.h"

/* Where a component's messages go: its own callback, or the global one when
 * fn is NULL. Components embed one of these (decoder settings fill it). */
typedef struct kzv_logger {
    kzv_log_fn fn;
    void *user;
} kzv_logger;

/* Format and emit one line. `lg` may be NULL (global logger). */
void kzv_log(const kzv_logger *lg, kzv_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Route FFmpeg's av_log output into kzv's global logger (once per process).
 * FFmpeg has a single process-wide log callback; like mpv we take it over so
 * that the library never prints on its own. */
void kzv_log_install_ffmpeg_bridge(void);

#endif
