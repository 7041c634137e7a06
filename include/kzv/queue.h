/*
 * kzv — a bounded, thread-safe queue of frames.
 *
 * The queue holds at most `capacity` frame references. What happens when a
 * producer pushes into a full queue depends on the policy:
 *   KZV_QUEUE_BLOCK       the push waits (up to its timeout) for room: lossless,
 *                         for offline processing (the default);
 *   KZV_QUEUE_DROP_OLDEST the oldest queued frame is unreferenced and counted in
 *                         total_dropped, and the push succeeds at once: for live
 *                         playback, where a late frame is worth nothing.
 *
 * Timeouts are in nanoseconds: 0 = try once and return KZV_EAGAIN, negative =
 * wait forever, positive = wait at most that long, then KZV_ETIMEDOUT.
 *
 * kzv_queue_close() ends pushing (pushes then fail with KZV_ECLOSED and wake
 * up if waiting); pops drain what is left and then return KZV_EOF.
 *
 * Thread-safety: every function except kzv_queue_destroy() may be called from
 * any number of threads at once (many producers, many consumers).
 * kzv_queue_destroy() must not race with any other call on the same queue.
 */
#ifndef KZV_QUEUE_H
#define KZV_QUEUE_H

#include <stdint.h>

#include "kzv/common.h"
#include "kzv/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kzv_queue kzv_queue;

typedef enum kzv_queue_policy {
    KZV_QUEUE_BLOCK       = 0,
    KZV_QUEUE_DROP_OLDEST = 1,
} kzv_queue_policy;

/** Settings of kzv_queue_create(); plain data, copied. Fixed size (see "Room
 *  to grow" in common.h): start from kzv_queue_default_settings(). */
typedef struct kzv_queue_settings {
    int capacity;             /**< most frames held at once, >= 1 (default 16) */
    kzv_queue_policy policy;  /**< default KZV_QUEUE_BLOCK */
    uint8_t reserved[64];     /**< zero (kzv_queue_default_settings() does it): fields
                                   added later take their bytes from here and mean the
                                   old behaviour when 0; non-zero is refused with KZV_EINVAL */
} kzv_queue_settings;

/** Counters of a queue (kzv_queue_get_stats()); fixed size (see "Room to
 *  grow" in common.h). */
typedef struct kzv_queue_stats {
    int64_t total_enqueued;   /**< successful pushes */
    int64_t total_dequeued;   /**< successful pops */
    int64_t total_dropped;    /**< frames discarded by DROP_OLDEST */
    int size;                 /**< frames held now */
    int peak_size;            /**< most frames ever held at once */
    int capacity;
    uint8_t reserved[64];     /**< zero; counters added later take their bytes from here */
} kzv_queue_stats;

KZV_API void kzv_queue_default_settings(kzv_queue_settings *s);

/**
 * @param out      receives the queue, owned by the caller (kzv_queue_destroy()).
 * @param settings NULL for defaults; copied.
 * @return KZV_OK, KZV_EINVAL (capacity < 1, unknown policy), KZV_ENOMEM.
 */
KZV_API int kzv_queue_create(kzv_queue **out, const kzv_queue_settings *settings);

/**
 * Push a frame. On KZV_OK the queue owns the reference (the caller must not
 * unref it). On KZV_EAGAIN, KZV_ETIMEDOUT or KZV_ECLOSED the reference stays
 * with the caller. KZV_EINVAL for a NULL queue or frame.
 */
KZV_API int kzv_queue_push(kzv_queue *q, kzv_frame *frame, int64_t timeout_ns);

/**
 * Pop the oldest frame. On KZV_OK *out receives a reference owned by the
 * caller; otherwise *out is NULL and the result is KZV_EAGAIN, KZV_ETIMEDOUT,
 * KZV_EOF (closed and empty) or KZV_EINVAL.
 */
KZV_API int kzv_queue_pop(kzv_queue *q, kzv_frame **out, int64_t timeout_ns);

/** Close for pushing; wakes every waiter. Idempotent. */
KZV_API void kzv_queue_close(kzv_queue *q);

KZV_API void kzv_queue_get_stats(const kzv_queue *q, kzv_queue_stats *st);

/** Unref every frame still queued, free the queue, set *q to NULL. NULL-safe. */
KZV_API void kzv_queue_destroy(kzv_queue **q);

#ifdef __cplusplus
}
#endif
#endif /* KZV_QUEUE_H */
