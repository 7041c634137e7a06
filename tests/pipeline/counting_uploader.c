#include <string.h>

#include "counting_uploader.h"

static int cu_upload(void *opaque, const kzv_frame *f, kzv_texture *out)
{
    counting_uploader *cu = opaque;
    int attempt = atomic_fetch_add(&cu->attempts, 1) + 1;
    if ((cu->fail_every > 0 && attempt % cu->fail_every == 0) ||
        (cu->fail_index >= 0 && f->frame_index == cu->fail_index))
        return KZV_EGPU;
    kzv_texture id = cu->return_fixed ? cu->return_fixed : atomic_fetch_add(&cu->next_id, 1) + 1;
    if (id > CU_MAX_TEX)
        return KZV_ENOMEM;
    atomic_store(&cu->live[id - 1], 1);
    cu->w[id - 1] = f->width;
    cu->h[id - 1] = f->height;
    atomic_fetch_add(&cu->uploads, 1);
    *out = id;
    return KZV_OK;
}

static void cu_release(void *opaque, kzv_texture tex)
{
    counting_uploader *cu = opaque;
    if (tex == 0 || tex > CU_MAX_TEX || !atomic_exchange(&cu->live[tex - 1], 0)) {
        atomic_fetch_add(&cu->bad_releases, 1);
        return;
    }
    atomic_fetch_add(&cu->releases, 1);
}

static int cu_size(void *opaque, kzv_texture tex, int *w, int *h)
{
    counting_uploader *cu = opaque;
    atomic_fetch_add(&cu->size_calls, 1);
    if (tex == 0 || tex > CU_MAX_TEX || !atomic_load(&cu->live[tex - 1]))
        return KZV_EINVAL;
    *w = cu->w[tex - 1];
    *h = cu->h[tex - 1];
    return KZV_OK;
}

static void cu_destroy(void *opaque)
{
    counting_uploader *cu = opaque;
    atomic_fetch_add(&cu->destroys, 1);
}

const kzv_uploader_impl counting_uploader_impl = {
    .version = KZV_UPLOADER_IMPL_VERSION,
    .name = "counting",
    .upload_frame = cu_upload,
    .release_texture = cu_release,
    .get_texture_size = cu_size,
    .destroy = cu_destroy,
};

void counting_uploader_init(counting_uploader *cu)
{
    memset(cu, 0, sizeof(*cu));
    cu->fail_index = -1;
}

int counting_uploader_outstanding(counting_uploader *cu)
{
    int n = 0;
    for (int i = 0; i < CU_MAX_TEX; i++)
        n += atomic_load(&cu->live[i]) != 0;
    return n;
}
