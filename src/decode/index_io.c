/* The frame index as bytes, and the fingerprint that ties it to its file.
 *
 * Layout (little-endian; every field fixed-size so an index saved on one
 * machine reads on any other):
 *   "KZVIDX\r\n"  u32 format version  u32 scanner version  u32 flags
 *   i32 stream  i32 tb_num  i32 tb_den
 *   u64 size  i64 mtime_ns  u64 head_hash  u64 tail_hash
 *   i64 n  i64 nkf
 *   n   × { i64 pts_ts, f64 pts, f64 duration, i64 pos, i32 size, u32 keyframe }
 *   nkf × { i64 pts, i64 seek_ts, i64 dts }
 *   u64 FNV-1a of everything before it
 * The \r\n in the magic catches files mangled by text-mode transfers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode/index_io.h"

#define MAGIC "KZVIDX\r\n"
#define FORMAT_VERSION 1u
#define FLAG_NO_PTS 1u
#define HASH_SPAN (64 * 1024)
#define HEADER_BYTES (8 + 4 * 3 + 4 * 3 + 8 * 4 + 8 * 2)
#define ENTRY_BYTES (8 * 4 + 4 * 2)
#define KF_BYTES (8 * 3)

/* ---- FNV-1a ---------------------------------------------------------------- */

#define FNV_OFFSET 0xcbf29ce484222325ull
static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* ---- fingerprint ----------------------------------------------------------- */

static int hash_file(kzv_fingerprint *fp, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOENT ? KZV_ENOENT : KZV_EIO;
    }
    struct stat st;
    uint8_t *buf = malloc(HASH_SPAN);
    int code = KZV_EIO;
    if (!buf) {
        code = KZV_ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
        goto end;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        goto end;
    }
    fp->size = (uint64_t)st.st_size;
    fp->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    for (int part = 0; part < 2; part++) {
        uint64_t span = fp->size < HASH_SPAN ? fp->size : HASH_SPAN;
        off_t at = part ? (off_t)(fp->size - span) : 0;
        size_t got = 0;
        while (got < span) {
            ssize_t r = pread(fd, buf + got, span - got, at + (off_t)got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                snprintf(err, errlen, "%s: read failed while fingerprinting", path);
                goto end;
            }
            got += (size_t)r;
        }
        *(part ? &fp->tail_hash : &fp->head_hash) = fnv1a(FNV_OFFSET, buf, span);
    }
    code = KZV_OK;
end:
    free(buf);
    close(fd);
    return code;
}

int kzv_fingerprint_source(kzv_fingerprint *fp, const kzv_source *src, char *err, size_t errlen)
{
    memset(fp, 0, sizeof(*fp));
    if (src->mem) {
        size_t span = src->mem_size < HASH_SPAN ? src->mem_size : HASH_SPAN;
        fp->size = src->mem_size;
        fp->head_hash = fnv1a(FNV_OFFSET, src->mem, span);
        fp->tail_hash = fnv1a(FNV_OFFSET, src->mem + src->mem_size - span, span);
        return KZV_OK;
    }
    if (!kzv_input_is_local(src->path)) {
        snprintf(err, errlen, "%s: a saved index needs a local file or memory (nothing to fingerprint a URL by)",
                 src->path);
        return KZV_EUNSUPPORTED;
    }
    return hash_file(fp, src->path, err, errlen);
}

/* ---- encoding -------------------------------------------------------------- */

static uint8_t *put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return p + 8;
}
static uint8_t *put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return p + 4;
}
static uint64_t get64(const uint8_t **p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)(*p)[i] << (8 * i);
    *p += 8;
    return v;
}
static uint32_t get32(const uint8_t **p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)(*p)[i] << (8 * i);
    *p += 4;
    return v;
}
static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}
static double double_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

size_t kzv_index_bytes(const kzv_index *idx)
{
    return HEADER_BYTES + (size_t)idx->n * ENTRY_BYTES + (size_t)idx->nkf * KF_BYTES + 8;
}

void kzv_index_write(const kzv_index *idx, const kzv_index_key *key, uint8_t *buf)
{
    uint8_t *p = buf;
    memcpy(p, MAGIC, 8);
    p += 8;
    p = put32(p, FORMAT_VERSION);
    p = put32(p, KZV_INDEX_SCAN_VERSION);
    p = put32(p, idx->no_pts ? FLAG_NO_PTS : 0);
    p = put32(p, (uint32_t)key->stream_index);
    p = put32(p, (uint32_t)key->tb_num);
    p = put32(p, (uint32_t)key->tb_den);
    p = put64(p, key->fp.size);
    p = put64(p, (uint64_t)key->fp.mtime_ns);
    p = put64(p, key->fp.head_hash);
    p = put64(p, key->fp.tail_hash);
    p = put64(p, (uint64_t)idx->n);
    p = put64(p, (uint64_t)idx->nkf);
    for (int64_t i = 0; i < idx->n; i++) {
        const kzv_index_entry *e = &idx->e[i];
        p = put64(p, (uint64_t)e->pts_ts);
        p = put64(p, bits_of(e->pts));
        p = put64(p, bits_of(e->duration));
        p = put64(p, (uint64_t)e->pos);
        p = put32(p, (uint32_t)e->size);
        p = put32(p, e->keyframe);
    }
    for (int64_t i = 0; i < idx->nkf; i++) {
        p = put64(p, (uint64_t)idx->kf[i].pts);
        p = put64(p, (uint64_t)idx->kf[i].seek_ts);
        p = put64(p, (uint64_t)idx->kf[i].dts);
    }
    put64(p, fnv1a(FNV_OFFSET, buf, (size_t)(p - buf)));
}

/* ---- decoding -------------------------------------------------------------- */

#define BAD(...) (snprintf(err, errlen, __VA_ARGS__), KZV_EINVALIDDATA)

int kzv_index_read(kzv_index *idx, const uint8_t *buf, size_t size, const kzv_index_key *want,
                   char *err, size_t errlen)
{
    memset(idx, 0, sizeof(*idx));
    if (size < HEADER_BYTES + 8 || memcmp(buf, MAGIC, 8) != 0)
        return BAD("not a kzv index");
    if (get64(&(const uint8_t *){ buf + size - 8 }) != fnv1a(FNV_OFFSET, buf, size - 8))
        return BAD("damaged index (checksum mismatch)");
    const uint8_t *p = buf + 8;
    uint32_t format = get32(&p), scanner = get32(&p), flags = get32(&p);
    if (format != FORMAT_VERSION)
        return BAD("index format %u, this kzv reads %u", format, FORMAT_VERSION);
    if (scanner != KZV_INDEX_SCAN_VERSION)
        return BAD("stale index: built by index scanner %u, this kzv has %u", scanner, KZV_INDEX_SCAN_VERSION);
    kzv_index_key k;
    k.stream_index = (int32_t)get32(&p);
    k.tb_num = (int32_t)get32(&p);
    k.tb_den = (int32_t)get32(&p);
    k.fp.size = get64(&p);
    k.fp.mtime_ns = (int64_t)get64(&p);
    k.fp.head_hash = get64(&p);
    k.fp.tail_hash = get64(&p);
    if (k.fp.size != want->fp.size)
        return BAD("stale index: the file's size changed (%llu bytes, the index is of %llu)",
                   (unsigned long long)want->fp.size, (unsigned long long)k.fp.size);
    if (k.fp.mtime_ns != want->fp.mtime_ns)
        return BAD("stale index: the file was modified after the index was built");
    if (k.fp.head_hash != want->fp.head_hash || k.fp.tail_hash != want->fp.tail_hash)
        return BAD("stale index: the file's content differs from the one indexed");
    if (k.stream_index != want->stream_index)
        return BAD("index of stream %d, this decoder reads stream %d", k.stream_index, want->stream_index);
    if (k.tb_num != want->tb_num || k.tb_den != want->tb_den)
        return BAD("index time base %d/%d differs from the stream's %d/%d", k.tb_num, k.tb_den,
                   want->tb_num, want->tb_den);
    uint64_t n = get64(&p), nkf = get64(&p);
    if (n > (size - HEADER_BYTES - 8) / ENTRY_BYTES || nkf > n ||
        size != HEADER_BYTES + n * ENTRY_BYTES + nkf * KF_BYTES + 8)
        return BAD("damaged index (sizes do not add up)");
    idx->e = calloc(n ? n : 1, sizeof(*idx->e));
    idx->kf = calloc(nkf ? nkf : 1, sizeof(*idx->kf));
    if (!idx->e || !idx->kf) {
        kzv_index_free(idx);
        snprintf(err, errlen, "out of memory reading an index of %llu frames", (unsigned long long)n);
        return KZV_ENOMEM;
    }
    for (uint64_t i = 0; i < n; i++) {
        kzv_index_entry *e = &idx->e[i];
        e->pts_ts = (int64_t)get64(&p);
        e->pts = double_of(get64(&p));
        e->duration = double_of(get64(&p));
        e->pos = (int64_t)get64(&p);
        e->size = (int32_t)get32(&p);
        e->keyframe = get32(&p) != 0;
        if (i > 0 && e->pts_ts < idx->e[i - 1].pts_ts) {
            kzv_index_free(idx);
            return BAD("damaged index (frames out of display order)");
        }
    }
    for (uint64_t i = 0; i < nkf; i++) {
        idx->kf[i].pts = (int64_t)get64(&p);
        idx->kf[i].seek_ts = (int64_t)get64(&p);
        idx->kf[i].dts = (int64_t)get64(&p);
    }
    idx->n = (int64_t)n;
    idx->nkf = (int64_t)nkf;
    idx->no_pts = flags & FLAG_NO_PTS;
    return KZV_OK;
}
