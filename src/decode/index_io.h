/* The frame index as portable bytes (little-endian, versioned, checksummed)
 * with a fingerprint of the file it describes, so that an index built once
 * can be handed to other decoders of the same file (saved beside it, sent to
 * a worker) and an index of a changed or different file is refused. */
#ifndef KZV_SRC_DECODE_INDEX_IO_H
#define KZV_SRC_DECODE_INDEX_IO_H

#include <stddef.h>
#include <stdint.h>

#include "decode/index.h"
#include "decode/input.h"

/* What identifies the bytes an index was built from. */
typedef struct kzv_fingerprint {
    uint64_t size;
    int64_t mtime_ns;            /* 0 for memory sources */
    uint64_t head_hash, tail_hash;   /* FNV-1a of the first and last 64 KiB */
} kzv_fingerprint;

/* Fingerprint `src` (a local file or memory). KZV_OK, KZV_EUNSUPPORTED for
 * other URLs, KZV_EIO / KZV_ENOENT when the file cannot be read; a message in err. */
int kzv_fingerprint_source(kzv_fingerprint *fp, const kzv_source *src, char *err, size_t errlen);

/* What the index belongs to besides the file. */
typedef struct kzv_index_key {
    kzv_fingerprint fp;
    int stream_index;
    int tb_num, tb_den;
} kzv_index_key;

/* Bytes kzv_index_write() needs for `idx`. */
size_t kzv_index_bytes(const kzv_index *idx);

/* Write `idx` and `key` into buf (kzv_index_bytes(idx) bytes). */
void kzv_index_write(const kzv_index *idx, const kzv_index_key *key, uint8_t *buf);

/* Parse `buf` into *idx (allocated; kzv_index_free() releases it) when it is
 * an intact index of the current scanner version whose key equals `want`.
 * KZV_OK, KZV_EINVALIDDATA (with the reason in err), KZV_ENOMEM. */
int kzv_index_read(kzv_index *idx, const uint8_t *buf, size_t size, const kzv_index_key *want,
                   char *err, size_t errlen);

#endif
