/* A custom uploader built on the public function table, for the pipeline
 * tests: it counts every backend call, remembers which textures it handed
 * out (so a double or foreign release reaching the backend is caught here,
 * independently of the wrapper), and can be told to fail an upload. */
#ifndef KZV_TESTS_COUNTING_UPLOADER_H
#define KZV_TESTS_COUNTING_UPLOADER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kzv/uploader.h"

#define CU_MAX_TEX 4096

typedef struct counting_uploader {
    atomic_int uploads;          /* successful upload_frame calls */
    atomic_int releases;         /* release_texture calls for a texture we made */
    atomic_int bad_releases;     /* release_texture calls for anything else: must stay 0 */
    atomic_int size_calls;
    atomic_int destroys;
    int fail_every;              /* > 0: every n-th upload attempt fails with KZV_EGPU */
    atomic_int attempts;
    int64_t fail_index;          /* >= 0: the frame with this frame_index fails to upload */
    kzv_texture return_fixed;    /* != 0: always return this id (a broken backend) */
    atomic_uint_fast64_t next_id;
    /* live[i] is 1 while texture i + 1 is out; ids beyond CU_MAX_TEX are refused. */
    atomic_char live[CU_MAX_TEX];
    int w[CU_MAX_TEX], h[CU_MAX_TEX];
} counting_uploader;

/* The table; `priv` must be a counting_uploader. destroy is set. */
extern const kzv_uploader_impl counting_uploader_impl;

/* Zero the state and set defaults (fail_index -1). */
void counting_uploader_init(counting_uploader *cu);

/* Textures the backend handed out and has not seen released. */
int counting_uploader_outstanding(counting_uploader *cu);

#endif
