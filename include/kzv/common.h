/*
 * kzv — common definitions: status codes, rationals, logging, export macro.
 *
 * Every kzv function that can fail returns an int: KZV_OK (0) on success or a
 * negative KZV_E* code. kzv_strerror() turns a code into text; objects that can
 * say more (the decoder) keep a detailed message of their own.
 *
 * The library never prints and never exits. Diagnostics go through a log
 * callback: a process-wide one set with kzv_set_log_callback() (default: lines
 * of level KZV_LOG_WARNING and more severe go to stderr), which a decoder's
 * settings may override for that decoder alone.
 *
 * Room to grow (ABI). A program compiled against one kzv header keeps
 * working with a later libkzv of the same major version. What that takes
 * depends on who allocates a struct:
 *   - Structs the caller allocates and the library reads or fills
 *     (kzv_*_settings, kzv_*_stats, kzv_frame, kzv_color) have a fixed size:
 *     they end in `uint8_t reserved[N]`. Every field added later takes its
 *     bytes from `reserved` (the struct's size never changes; the library's
 *     build fails when it would), and a field taken from `reserved` means
 *     "the old behaviour" when it is 0. kzv_*_default_settings() zeroes
 *     `reserved`; so does `= { 0 }`. A settings struct whose `reserved` is
 *     not all zero is refused with KZV_EINVAL: the caller forgot to
 *     initialise it, or was built against a newer kzv and set a field this
 *     library does not know.
 *   - Structs the library allocates and only lends out by const pointer
 *     (kzv_video_info) may gain fields at their end. The exception is
 *     kzv_index_entry: an element of an array whose stride callers compile
 *     in, it is frozen (a new per-frame property would come through a new
 *     call).
 *   - Function tables the caller writes (kzv_uploader_impl) carry a version:
 *     set it to the header's KZV_*_VERSION; a later library reads only the
 *     members that version has, and refuses versions it does not know.
 *
 * Thread-safety: everything in this header may be called from any thread.
 * kzv_set_log_callback() and kzv_set_log_level() are atomic with respect to
 * each other but should be called before other threads start logging.
 */
#ifndef KZV_COMMON_H
#define KZV_COMMON_H

#include <stdint.h>

#if defined(_WIN32) && defined(KZV_BUILDING_DLL)
#  define KZV_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#  define KZV_API __attribute__((visibility("default")))
#else
#  define KZV_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. 0 is success; everything else is negative. */
typedef enum kzv_status {
    KZV_OK            =   0,
    KZV_EOF           =  -1, /**< end of stream / queue closed and drained */
    KZV_EAGAIN        =  -2, /**< try again: non-blocking call would block */
    KZV_ETIMEDOUT     =  -3, /**< a wait ran out of time */
    KZV_ENOENT        =  -4, /**< file not found */
    KZV_ENOVIDEO      =  -5, /**< the input has no (usable) video stream */
    KZV_EUNSUPPORTED  =  -6, /**< codec, format or feature not supported */
    KZV_EINVALIDDATA  =  -7, /**< corrupt data or not a media file */
    KZV_EIO           =  -8, /**< read error, permission denied, … */
    KZV_ENOMEM        =  -9, /**< allocation failed */
    KZV_EINVAL        = -10, /**< invalid argument */
    KZV_ECLOSED       = -11, /**< push to a closed queue */
    KZV_ECANCELED     = -12, /**< stopped by a callback or kzv_processor_stop() */
    KZV_EGPU          = -13, /**< GPU / uploader backend failure */
} kzv_status;

/**
 * Text for a status code ("end of file", "file not found", …).
 * @return a static string; never NULL (unknown codes give "unknown error").
 */
KZV_API const char *kzv_strerror(int code);

/** An exact rational number num/den. den is 0 only for "unknown". */
typedef struct kzv_rational {
    int num;
    int den;
} kzv_rational;

/** Log levels, most severe first (same order as FFmpeg's and mpv's). */
typedef enum kzv_log_level {
    KZV_LOG_QUIET   = -1,
    KZV_LOG_ERROR   =  0,
    KZV_LOG_WARNING =  1,
    KZV_LOG_INFO    =  2,
    KZV_LOG_DEBUG   =  3,
} kzv_log_level;

/**
 * Log callback. `msg` is one complete line without the trailing newline; it is
 * valid only during the call. May be called from kzv's internal threads (the
 * processor's decode thread), so it must be thread-safe.
 */
typedef void (*kzv_log_fn)(void *user, kzv_log_level level, const char *msg);

/**
 * Set the process-wide log callback (NULL restores the default stderr logger)
 * and its user pointer. The caller keeps ownership of `user`.
 */
KZV_API void kzv_set_log_callback(kzv_log_fn fn, void *user);

/** Messages less severe than `level` are dropped (default KZV_LOG_WARNING). */
KZV_API void kzv_set_log_level(kzv_log_level level);

#ifdef __cplusplus
}
#endif
#endif /* KZV_COMMON_H */
