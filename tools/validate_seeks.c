/* kzv validate --seeks: random exact seeks compared with sequential decoding
 * (see validate_seeks.h). */
#include <stdio.h>

#include "validate_seeks.h"

uint64_t kzv_frame_digest(const kzv_frame *f)
{
    uint64_t h = 1469598103934665603ull;
    int bpp = f->format == KZV_PIXFMT_RGBA ? 4 : 3;
    for (int y = 0; f->data[0] && y < f->height; y++) {
        const uint8_t *p = f->data[0] + (size_t)y * (size_t)f->stride[0];
        for (int x = 0; x < f->width * bpp; x++) {
            h ^= p[x];
            h *= 1099511628211ull;
        }
    }
    return h ^ ((uint64_t)(uint32_t)f->width << 32 | (uint32_t)f->height);
}

/* xorshift64*: the same seed gives the same targets on every machine. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

int64_t kzv_validate_seeks(kzv_decoder *d, const kzv_seen_frame *seen, int64_t n,
                           int64_t seeks, uint64_t seed, char *detail, size_t len)
{
    uint64_t state = seed ? seed : 0x9E3779B97F4A7C15ull;
    int64_t bad = 0;
    detail[0] = '\0';
    for (int64_t i = 0; i < seeks && n > 0; i++) {
        int64_t target = (int64_t)(next_rand(&state) % (uint64_t)n);
        bool by_time = i & 1;
        int err = by_time ? kzv_decoder_seek(d, seen[target].pts, KZV_SEEK_EXACT)
                          : kzv_decoder_seek_frame(d, target);
        kzv_frame *f = NULL;
        if (err == KZV_OK)
            err = kzv_decoder_next(d, &f);
        bool ok = err == KZV_OK && f->frame_index == target && f->pts == seen[target].pts &&
                  kzv_frame_digest(f) == seen[target].digest;
        if (!ok && !bad++) {
            const char *how = by_time ? "at its pts" : "by index";
            if (err != KZV_OK) {
                const char *msg = kzv_decoder_last_error(d);
                snprintf(detail, len, "seek %lld to frame %lld (%s, pts %.6f) failed: %s",
                         (long long)i + 1, (long long)target, how, seen[target].pts,
                         msg && *msg ? msg : kzv_strerror(err));
            } else {
                snprintf(detail, len, "seek %lld to frame %lld (%s, pts %.6f) gave frame %lld pts %.6f%s",
                         (long long)i + 1, (long long)target, how, seen[target].pts,
                         (long long)f->frame_index, f->pts,
                         kzv_frame_digest(f) == seen[target].digest ? "" : " (other pixels)");
            }
        }
        kzv_frame_unref(&f);
    }
    size_t used = 0;
    for (; used < len && detail[used]; used++)
        ;
    if (bad)
        snprintf(detail + used, len - used, "; %lld of %lld random exact seeks differ from sequential "
                 "decoding (seed %llu)", (long long)bad, (long long)seeks, (unsigned long long)seed);
    else
        snprintf(detail, len, "%lld random exact seeks (seed %llu) gave the frames sequential decoding gave, "
                 "same pts and pixels", (long long)seeks, (unsigned long long)seed);
    return bad;
}
