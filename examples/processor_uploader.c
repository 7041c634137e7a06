/*
 * The frame processor with a custom uploader built on kzv's function table.
 * The C form of the seed's "GPU Upload Interface" and "Complete Frame
 * Processing" examples: the backend below stands in for OpenGL/Vulkan (it
 * keeps a checksum per "texture"); kzv_processor decodes on its own thread,
 * uploads each frame, calls us, and releases the texture afterwards.
 *
 *   processor_uploader [FILE]     (default: $KZV_FIXTURES/h264.mp4)
 *
 * Exits 0 when every frame was delivered and every texture released.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <kzv/kzv.h>

/* ---- a toy backend: "textures" are slots holding a size and a checksum --- */

#define MAX_TEXTURES 64

typedef struct toy_gpu {
    struct { int used, w, h; uint32_t sum; } slot[MAX_TEXTURES];
    int live, peak;
} toy_gpu;

static int toy_upload(void *priv, const kzv_frame *f, kzv_texture *out)
{
    toy_gpu *gpu = priv;
    for (int i = 0; i < MAX_TEXTURES; i++) {
        if (gpu->slot[i].used)
            continue;
        /* A real backend would glTexImage2D(..., f->data[0]) here. */
        uint32_t sum = 0;
        for (int y = 0; y < f->height; y++)
            sum = sum * 31 + f->data[0][(size_t)y * (size_t)f->stride[0]];
        gpu->slot[i].used = 1;
        gpu->slot[i].w = f->width;
        gpu->slot[i].h = f->height;
        gpu->slot[i].sum = sum;
        if (++gpu->live > gpu->peak)
            gpu->peak = gpu->live;
        *out = (kzv_texture)i + 1;       /* 0 means "no texture" */
        return KZV_OK;
    }
    return KZV_EGPU;                     /* out of texture slots */
}

static void toy_release(void *priv, kzv_texture tex)
{
    toy_gpu *gpu = priv;
    gpu->slot[tex - 1].used = 0;         /* the wrapper only passes live textures */
    gpu->live--;
}

static int toy_size(void *priv, kzv_texture tex, int *w, int *h)
{
    toy_gpu *gpu = priv;
    *w = gpu->slot[tex - 1].w;
    *h = gpu->slot[tex - 1].h;
    return KZV_OK;
}

static const kzv_uploader_impl toy_impl = {
    .version = KZV_UPLOADER_IMPL_VERSION,
    .name = "toy",
    .upload_frame = toy_upload,
    .release_texture = toy_release,
    .get_texture_size = toy_size,
    /* .destroy: optional; toy_gpu lives on main's stack */
};

/* ---- the user's per-frame work ------------------------------------------------ */

typedef struct job {
    kzv_uploader *uploader;
    int64_t frames;
    int bad;
} job;

static int process_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    job *j = user;
    int w = 0, h = 0;
    if (kzv_uploader_texture_size(j->uploader, tex, &w, &h) < 0 || w != f->width || h != f->height)
        j->bad++;
    if (f->frame_index % 10 == 0)
        printf("Processing frame %lld (texture %" PRIu64 ", %dx%d, pts %.3f)\n",
               (long long)f->frame_index, tex, w, h, f->pts);
    j->frames++;
    return 0;                            /* 0: go on; > 0: stop; < 0: count an error */
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

    toy_gpu gpu = { 0 };
    kzv_uploader *uploader = NULL;
    if (kzv_uploader_create(&uploader, &toy_impl, &gpu) < 0)
        return 1;

    kzv_processor *proc = NULL;
    int err = kzv_processor_open(&proc, path, uploader, NULL);
    if (err < 0) {
        fprintf(stderr, "cannot open %s: %s\n", path, kzv_decoder_last_error(NULL));
        kzv_uploader_destroy(&uploader);
        return 1;
    }

    job j = { .uploader = uploader };
    err = kzv_processor_run(proc, process_frame, &j);
    kzv_processor_stats st;
    kzv_processor_get_stats(proc, &st);
    printf("run: %s; decoded %lld, processed %lld, uploaded %lld, released %lld, errors %lld\n",
           kzv_strerror(err), (long long)st.decoded, (long long)st.processing,
           (long long)st.uploaded, (long long)st.released, (long long)st.errors);
    printf("live textures: %d (peak %d)\n", gpu.live, gpu.peak);

    int ok = err == KZV_OK && j.bad == 0 && j.frames > 0 && j.frames == st.decoded &&
             st.uploaded == st.released && gpu.live == 0 &&
             kzv_uploader_live_textures(uploader) == 0;
    kzv_processor_close(&proc);          /* before the uploader it borrows */
    kzv_uploader_destroy(&uploader);
    return ok ? 0 : 1;
}
