/* The "Room to grow" rule (include/kzv/common.h) as callers see it: every
 * default_settings() zeroes `reserved`, a settings struct with a non-zero
 * `reserved` byte is refused with KZV_EINVAL (a caller that forgot to
 * initialise it, or one built against a newer kzv), and get_stats() leaves
 * the stats' `reserved` zero. Public API only. */
#include <string.h>

#include <kzv/kzv.h>

#include "ktest.h"

static int refusals;
static char last[1024];

static void capture(void *user, kzv_log_level level, const char *msg)
{
    (void)user;
    if (level == KZV_LOG_ERROR) {
        refusals++;
        snprintf(last, sizeof(last), "%s", msg);
    }
}

#define ALL_ZERO(arr) all_zero((arr), sizeof(arr))
static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int main(void)
{
    kzv_set_log_callback(capture, NULL);

    /* default_settings() zeroes reserved, whatever was there before. */
    kzv_decoder_settings ds;
    memset(&ds, 0xa5, sizeof(ds));
    kzv_decoder_default_settings(&ds);
    KT_CHECK(ALL_ZERO(ds.reserved), "decoder defaults: reserved zeroed");
    kzv_queue_settings qs;
    memset(&qs, 0xa5, sizeof(qs));
    kzv_queue_default_settings(&qs);
    KT_CHECK(ALL_ZERO(qs.reserved), "queue defaults: reserved zeroed");
    kzv_processor_settings ps;
    memset(&ps, 0xa5, sizeof(ps));
    kzv_processor_default_settings(&ps);
    KT_CHECK(ALL_ZERO(ps.reserved) && ALL_ZERO(ps.decoder.reserved) && ALL_ZERO(ps.queue.reserved),
             "processor defaults: every reserved zeroed");
    kzv_gl_settings gs;
    memset(&gs, 0xa5, sizeof(gs));
    kzv_gl_default_settings(&gs);
    KT_CHECK(ALL_ZERO(gs.reserved), "gl defaults: reserved zeroed");

    /* A non-zero reserved byte is refused before anything else is looked at
     * (the path does not exist: the refusal is not ENOENT). */
    const char *nofile = "/nonexistent/kzv-room-to-grow.mp4";
    kzv_decoder *d = NULL;
    ds.reserved[sizeof(ds.reserved) - 1] = 1;
    KT_CHECK_EQ_INT(kzv_decoder_open(&d, nofile, &ds), KZV_EINVAL);
    KT_CHECK(d == NULL && strstr(kzv_decoder_last_error(NULL), "reserved"), "decoder: %s",
             kzv_decoder_last_error(NULL));
    ds.reserved[sizeof(ds.reserved) - 1] = 0;
    KT_CHECK_EQ_INT(kzv_decoder_open(&d, nofile, &ds), KZV_ENOENT);   /* zero again: accepted */

    kzv_queue *q = NULL;
    qs.reserved[0] = 1;
    int before = refusals;
    KT_CHECK_EQ_INT(kzv_queue_create(&q, &qs), KZV_EINVAL);
    KT_CHECK(q == NULL && refusals == before + 1 && strstr(last, "reserved"), "queue: %s", last);
    qs.reserved[0] = 0;
    KT_CHECK_EQ_INT(kzv_queue_create(&q, &qs), KZV_OK);
    kzv_queue_stats qst;
    memset(&qst, 0xa5, sizeof(qst));
    kzv_queue_get_stats(q, &qst);
    KT_CHECK(ALL_ZERO(qst.reserved) && qst.capacity == 16, "queue stats: reserved zero");
    kzv_queue_destroy(&q);

    kzv_processor *p = NULL;
    ps.reserved[7] = 1;
    before = refusals;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, nofile, NULL, &ps), KZV_EINVAL);
    KT_CHECK(p == NULL && refusals == before + 1 && strstr(last, "reserved"), "processor: %s", last);
    ps.reserved[7] = 0;
    ps.decoder.reserved[3] = 1;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, nofile, NULL, &ps), KZV_EINVAL);
    ps.decoder.reserved[3] = 0;
    ps.queue.reserved[5] = 1;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, nofile, NULL, &ps), KZV_EINVAL);
    ps.queue.reserved[5] = 0;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, nofile, NULL, &ps), KZV_ENOENT);
    KT_CHECK(p == NULL, "nothing made");

    kzv_uploader *u = NULL;
    gs.reserved[63] = 1;
    before = refusals;
#ifdef KZV_TEST_HAVE_GL
    KT_CHECK_EQ_INT(kzv_uploader_create_gl(&u, &gs), KZV_EINVAL);
    KT_CHECK(refusals == before + 1 && strstr(last, "reserved"), "gl: %s", last);
#else
    KT_CHECK_EQ_INT(kzv_uploader_create_gl(&u, &gs), KZV_EUNSUPPORTED);
#endif
    KT_CHECK(u == NULL, "nothing made");

    /* Stats of a NULL object: all zero, reserved included. */
    kzv_decoder_stats dst;
    memset(&dst, 0xa5, sizeof(dst));
    kzv_decoder_get_stats(NULL, &dst);
    KT_CHECK(ALL_ZERO(dst.reserved) && dst.frames_output == 0, "decoder stats zeroed");
    kzv_processor_stats pst;
    memset(&pst, 0xa5, sizeof(pst));
    kzv_processor_get_stats(NULL, &pst);
    KT_CHECK(ALL_ZERO(pst.reserved) && pst.decoded == 0, "processor stats zeroed");

    /* The encoder and the transcode (the way back). */
    kzv_encoder_settings es;
    memset(&es, 0xa5, sizeof(es));
    kzv_encoder_default_settings(&es);
    KT_CHECK(ALL_ZERO(es.reserved), "encoder defaults: reserved zeroed");
    es.reserved[63] = 1;
    kzv_encoder *e = NULL;
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, "never-written.mkv", &es), KZV_EINVAL);
    KT_CHECK(e == NULL && strstr(kzv_encoder_last_error(NULL), "reserved"), "encoder: %s",
             kzv_encoder_last_error(NULL));
    kzv_encoder_stats est;
    memset(&est, 0xa5, sizeof(est));
    kzv_encoder_get_stats(NULL, &est);
    KT_CHECK(ALL_ZERO(est.reserved) && est.frames_in == 0, "encoder stats zeroed");
    kzv_transcode_settings ts;
    memset(&ts, 0xa5, sizeof(ts));
    kzv_transcode_default_settings(&ts);
    KT_CHECK(ALL_ZERO(ts.reserved) && ALL_ZERO(ts.encoder.reserved), "transcode defaults: every reserved zeroed");
    ts.reserved[0] = 1;
    KT_CHECK_EQ_INT(kzv_transcode("never-read.mkv", "never-written.mkv", &ts, NULL), KZV_EINVAL);
    KT_CHECK(strstr(kzv_transcode_last_error(), "reserved"), "transcode: %s", kzv_transcode_last_error());

    kzv_set_log_callback(NULL, NULL);
    return kt_finish();
}
