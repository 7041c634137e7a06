/* The processor soak (bench/soak.sh runs it and samples its RSS every
 * second): kzv_processor with the gl uploader (headless EGL context) and a
 * DROP_OLDEST queue over a long file. The callback reads every texture's
 * size, and on every 64th frame waits 2 ms, so that the decode thread runs
 * ahead and the queue really drops. At the end: the counters, and whether
 * every uploaded texture was released and none is live. Exit 0 when they
 * add up, 1 when not, 3 when the file or GL cannot be opened.
 *   soak FILE [GL_PATH]      GL_PATH: rgb (default) or yuv */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <kzv/kzv.h>

typedef struct job {
    kzv_uploader *up;
    int64_t frames, bad_size;
} job;

static int on_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    job *j = user;
    int w = 0, h = 0;
    if (kzv_uploader_texture_size(j->up, tex, &w, &h) < 0 || w != f->width || h != f->height)
        j->bad_size++;
    if (++j->frames % 64 == 0)
        nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
    if (j->frames % 10000 == 0) {
        fprintf(stderr, "soak: %lld frames\n", (long long)j->frames);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: soak FILE [rgb|yuv]\n");
        return 3;
    }
    kzv_gl_settings gs;
    kzv_gl_default_settings(&gs);
    bool yuv = argc > 2 && !strcmp(argv[2], "yuv");
    gs.path = yuv ? KZV_GL_PATH_YUV : KZV_GL_PATH_RGB;
    job j = { 0 };
    int err = kzv_uploader_create_gl(&j.up, &gs);
    if (err < 0) {
        fprintf(stderr, "soak: no gl uploader: %s\n", kzv_strerror(err));
        return 3;
    }
    kzv_processor_settings ps;
    kzv_processor_default_settings(&ps);
    ps.queue.capacity = 4;
    ps.queue.policy = KZV_QUEUE_DROP_OLDEST;
    ps.decoder.threads = 2;
    if (yuv)
        ps.decoder.format = KZV_PIXFMT_YUV_AUTO;
    kzv_processor *p = NULL;
    if ((err = kzv_processor_open(&p, argv[1], j.up, &ps)) < 0) {
        fprintf(stderr, "soak: cannot open %s: %s\n", argv[1], kzv_decoder_last_error(NULL));
        kzv_uploader_destroy(&j.up);
        return 3;
    }
    err = kzv_processor_run(p, on_frame, &j);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    int64_t live = kzv_uploader_live_textures(j.up);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&j.up);
    bool ok = err == KZV_OK && st.uploaded == st.released && live == 0 && j.bad_size == 0 &&
              st.decoded == st.processing + st.dropped && st.errors == 0;
    printf("soak: run %s; decoded %lld, enqueued %lld, processed %lld, dropped %lld, uploaded %lld, "
           "released %lld, live textures %lld, errors %lld, size mismatches %lld: %s\n",
           kzv_strerror(err), (long long)st.decoded, (long long)st.enqueued, (long long)st.processing,
           (long long)st.dropped, (long long)st.uploaded, (long long)st.released, (long long)live,
           (long long)st.errors, (long long)j.bad_size, ok ? "OK" : "MISMATCH");
    return ok ? 0 : 1;
}
