/*
 * Producer/consumer over a kzv_queue: a decode thread pushes frames, the
 * main thread pops them. The C form of the seed's "Frame Queue Management"
 * example, on two threads as it is meant to be used.
 *
 *   queue_threads [FILE]     (default: $KZV_FIXTURES/h264.mp4)
 *
 * Exits 0 when every decoded frame came out of the queue, in order.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <kzv/kzv.h>

typedef struct producer {
    kzv_decoder *dec;
    kzv_queue *queue;
    int64_t pushed;
    int status;          /* KZV_EOF at the normal end */
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    kzv_frame *frame = NULL;
    while ((p->status = kzv_decoder_next(p->dec, &frame)) == KZV_OK) {
        /* Wait forever for room: the queue's bound is the backpressure. */
        int err = kzv_queue_push(p->queue, frame, -1);
        if (err < 0) {                   /* closed by the consumer */
            kzv_frame_unref(&frame);     /* a refused frame stays ours */
            p->status = err;
            break;
        }
        p->pushed++;                     /* the queue owns it now */
    }
    kzv_queue_close(p->queue);           /* lets the consumer drain, then EOF */
    return NULL;
}

int main(int argc, char **argv)
{
    char buf[4096];
    const char *path = argc > 1 ? argv[1] : NULL;
    if (!path && getenv("KZV_FIXTURES")) {
        snprintf(buf, sizeof(buf), "%s/h264.mp4", getenv("KZV_FIXTURES"));
        path = buf;
    }
    if (!path) {
        fprintf(stderr, "usage: %s FILE (or set KZV_FIXTURES)\n", argv[0]);
        return 2;
    }

    producer prod = { 0 };
    if (kzv_decoder_open(&prod.dec, path, NULL) < 0) {
        fprintf(stderr, "cannot open %s: %s\n", path, kzv_decoder_last_error(NULL));
        return 1;
    }
    kzv_queue_settings qs;
    kzv_queue_default_settings(&qs);
    qs.capacity = 16;                    /* the seed's maxsize */
    if (kzv_queue_create(&prod.queue, &qs) < 0) {
        kzv_decoder_close(&prod.dec);
        return 1;
    }

    pthread_t thread;
    if (pthread_create(&thread, NULL, produce, &prod) != 0) {
        kzv_queue_destroy(&prod.queue);
        kzv_decoder_close(&prod.dec);
        return 1;
    }

    int64_t popped = 0, expected = 0;
    int in_order = 1;
    kzv_frame *frame = NULL;
    while (kzv_queue_pop(prod.queue, &frame, -1) == KZV_OK) {
        in_order &= frame->frame_index == expected++;
        popped++;                        /* process the frame here */
        kzv_frame_unref(&frame);
    }
    pthread_join(thread, NULL);

    kzv_queue_stats st;
    kzv_queue_get_stats(prod.queue, &st);
    printf("Processed %lld frames (enqueued %lld, dequeued %lld, dropped %lld, peak %d of %d)\n",
           (long long)popped, (long long)st.total_enqueued, (long long)st.total_dequeued,
           (long long)st.total_dropped, st.peak_size, st.capacity);

    int ok = prod.status == KZV_EOF && in_order && popped == prod.pushed && popped > 0 &&
             st.total_dequeued == popped && st.peak_size <= st.capacity;
    kzv_queue_destroy(&prod.queue);
    kzv_decoder_close(&prod.dec);
    return ok ? 0 : 1;
}
