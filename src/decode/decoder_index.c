/* A decoder's index handed around: exported as bytes, imported instead of a
 * scan, saved to and loaded from a file; and the segment plan built on it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/staging.h"
#include "decode/decoder_internal.h"
#include "decode/index_io.h"
#include "decode/segments.h"
#include "core/abi.h"

static int index_key(kzv_decoder *d, kzv_index_key *key)
{
    char msg[512] = "";
    int err = kzv_fingerprint_source(&key->fp, &d->src, msg, sizeof(msg));
    if (err < 0)
        return kzv_dec_fail(d, err, "%s", msg);
    key->stream_index = d->st->index;
    key->tb_num = d->st->time_base.num;
    key->tb_den = d->st->time_base.den;
    return KZV_OK;
}

int kzv_decoder_export_index(kzv_decoder *d, uint8_t *data, size_t capacity, size_t *size)
{
    if (!d || !size)
        return KZV_EINVAL;
    int err = kzv_dec_ensure_index(d);
    if (err < 0)
        return err;
    kzv_index_key key;
    if ((err = index_key(d, &key)) < 0)
        return err;
    size_t need = kzv_index_bytes(&d->index);
    *size = need;
    if (!data)
        return KZV_OK;
    if (capacity < need)
        return kzv_dec_fail(d, KZV_EINVAL, "index export: %zu bytes needed, buffer has %zu", need, capacity);
    kzv_index_write(&d->index, &key, data);
    return KZV_OK;
}

int kzv_decoder_import_index(kzv_decoder *d, const uint8_t *data, size_t size)
{
    if (!d || (!data && size))
        return KZV_EINVAL;
    kzv_index_key key;
    int err = index_key(d, &key);
    if (err < 0)
        return err;
    kzv_index idx;
    char msg[512] = "";
    if ((err = kzv_index_read(&idx, data ? data : (const uint8_t *)"", size, &key, msg, sizeof(msg))) < 0)
        return kzv_dec_fail(d, err, "%s: %s", d->path, msg);
    kzv_index_free(&d->index);
    d->index = idx;
    d->have_index = true;
    if (idx.n > 0)
        d->info.total_frames = idx.n;
    return KZV_OK;
}

int kzv_decoder_save_index(kzv_decoder *d, const char *path)
{
    if (!d || !path)
        return KZV_EINVAL;
    size_t size = 0;
    int err = kzv_decoder_export_index(d, NULL, 0, &size);
    if (err < 0)
        return err;
    uint8_t *buf = malloc(size);
    char *tmp = kzv_staging_name(path);
    FILE *f = NULL;
    if (!buf || !tmp) {
        err = kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory saving the index", path);
        goto end;
    }
    if ((err = kzv_decoder_export_index(d, buf, size, &size)) < 0)
        goto end;
    f = fopen(tmp, "wb");
    if (!f) {
        err = kzv_dec_fail(d, KZV_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        goto end;
    }
    bool ok = fwrite(buf, 1, size, f) == size;
    ok = fflush(f) == 0 && ok;
    ok = (fsync(fileno(f)) == 0 || kzv_staging_direct(tmp, path)) && ok;   /* /dev/null cannot sync */
    ok = fclose(f) == 0 && ok;
    f = NULL;
    if (!ok || kzv_staging_commit(tmp, path) < 0) {
        err = kzv_dec_fail(d, KZV_EIO, "%s: cannot write the index: %s", path, strerror(errno));
        kzv_staging_discard(tmp, path);
        goto end;
    }
    err = KZV_OK;
end:
    free(buf);
    free(tmp);
    return err;
}

int kzv_decoder_load_index(kzv_decoder *d, const char *path)
{
    if (!d || !path)
        return KZV_EINVAL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return kzv_dec_fail(d, errno == ENOENT ? KZV_ENOENT : KZV_EIO, "%s: %s", path, strerror(errno));
    uint8_t *buf = NULL;
    size_t size = 0, cap = 0;
    int err = KZV_OK;
    for (;;) {
        if (size == cap) {
            size_t ncap = cap ? cap * 2 : 1 << 16;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                err = kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory loading the index", path);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + size, 1, cap - size, f);
        size += got;
        if (got == 0) {
            if (ferror(f))
                err = kzv_dec_fail(d, KZV_EIO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (err == KZV_OK)
        err = kzv_decoder_import_index(d, buf, size);
    free(buf);
    return err;
}

void kzv_segment_default_settings(kzv_segment_settings *s)
{
    if (s)
        *s = (kzv_segment_settings){ .count = 0, .seconds = 60.0 };
}

int kzv_decoder_plan_segments(kzv_decoder *d, const kzv_segment_settings *settings,
                              kzv_segment *segments, int64_t capacity, int64_t *count)
{
    if (!d || !count)
        return KZV_EINVAL;
    kzv_segment_settings s;
    kzv_segment_default_settings(&s);
    if (settings)
        s = *settings;
    if (!KZV_RESERVED_OK(&s) || s.count < 0 || (s.count == 0 && !(s.seconds > 0)))
        return kzv_dec_fail(d, KZV_EINVAL, "segment plan: give a count > 0 or seconds > 0 (reserved bytes zero)");
    int err = kzv_dec_ensure_index(d);
    if (err < 0)
        return err;
    kzv_rational tb = { d->st->time_base.num, d->st->time_base.den };
    err = kzv_segments_plan(&d->index, tb, &s, segments, capacity, count);
    if (err == KZV_ENOVIDEO)
        return kzv_dec_fail(d, err, "%s: no frames to split", d->path);
    if (err == KZV_EINVAL)
        return kzv_dec_fail(d, err, "segment plan: %" PRId64 " slots are too few", capacity);
    return err;
}
