/*
 * The gl uploader's output textures and plane upload.
 *
 * Uploads. Every upload copies the frame's planes into GL with
 * GL_UNPACK_ALIGNMENT 1 and every other unpack parameter set explicitly:
 *   - with the PBO ring (pbo_ring > 0): the next buffer of the ring is mapped
 *     unsynchronised after waiting on the fence set when it was last used
 *     (pbo_ring uploads ago, so normally signalled already), the planes are
 *     copied in with tight rows (any source stride), and glTexSubImage2D
 *     reads from the buffer, so the copy into the texture runs
 *     asynchronously in the driver;
 *   - without (pbo_ring 0): glTexSubImage2D reads the frame's memory directly,
 *     with GL_UNPACK_ROW_LENGTH = stride / bytes-per-pixel when the stride is
 *     a multiple of it, else one call per row.
 * Output textures are immutable (glTexStorage2D) and come from a pool keyed by
 * (width, height, internal format); a released texture goes back to the pool
 * (newest first out, so a steady stream cycles through few names) and the
 * oldest pooled ones are deleted beyond pool_size.
 */
#ifdef KZV_HAVE_GL

#include <stdlib.h>
#include <string.h>

#include "gpu/gl_internal.h"
#include "core/log.h"

GLuint kzv_gl_make_texture(kzv_gl_priv *p, int w, int h, GLenum ifmt, GLint filter)
{
    GLuint name = 0;
    glGenTextures(1, &name);
    if (!name)
        return 0;
    p->st.gl_textures++;
    glBindTexture(GL_TEXTURE_2D, name);
    glTexStorage2D(GL_TEXTURE_2D, 1, ifmt, w, h);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    return name;
}

void kzv_gl_delete_texture(kzv_gl_priv *p, GLuint *name)
{
    if (*name) {
        glDeleteTextures(1, name);
        p->st.gl_textures--;
        *name = 0;
    }
}

void kzv_gl_free_tex(kzv_gl_priv *p, kzv_gl_tex *t)
{
    kzv_gl_delete_texture(p, &t->name);
    p->st.textures_deleted++;
    free(t);
}

kzv_gl_tex *kzv_gl_acquire_texture(kzv_gl_priv *p, int w, int h, GLenum ifmt)
{
    for (int i = p->pool_n - 1; i >= 0; i--) {
        kzv_gl_tex *t = p->pool[i];
        if (t->w == w && t->h == h && t->ifmt == ifmt) {
            memmove(&p->pool[i], &p->pool[i + 1], (size_t)(p->pool_n - 1 - i) * sizeof(*p->pool));
            p->pool_n--;
            p->st.pool_hits++;
            return t;
        }
    }
    kzv_gl_tex *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->w = w;
    t->h = h;
    t->ifmt = ifmt;
    t->name = kzv_gl_make_texture(p, w, h, ifmt, GL_LINEAR);
    if (!t->name || kzv_gl_check("creating a texture") < 0) {
        kzv_gl_delete_texture(p, &t->name);
        free(t);
        return NULL;
    }
    p->st.textures_created++;
    return t;
}

void kzv_gl_pool_trim(kzv_gl_priv *p)
{
    int extra = p->pool_n - p->s.pool_size;
    if (extra <= 0)
        return;
    for (int i = 0; i < extra; i++)
        kzv_gl_free_tex(p, p->pool[i]);
    memmove(&p->pool[0], &p->pool[extra], (size_t)(p->pool_n - extra) * sizeof(*p->pool));
    p->pool_n -= extra;
}

bool kzv_gl_pool_put(kzv_gl_priv *p, kzv_gl_tex *t)
{
    if (p->pool_n == p->pool_cap) {
        int cap = p->pool_cap ? p->pool_cap * 2 : 16;
        kzv_gl_tex **n = realloc(p->pool, (size_t)cap * sizeof(*n));
        if (!n)
            return false;
        p->pool = n;
        p->pool_cap = cap;
    }
    p->pool[p->pool_n++] = t;
    return true;
}

/* ---- plane upload ---------------------------------------------------------- */

#define PBO_ALIGN 64

int kzv_gl_upload_planes(kzv_gl_priv *p, const kzv_gl_plane_src *pl, int n)
{
    int64_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += (int64_t)pl[i].w * pl[i].bpp * pl[i].h;

    if (p->s.pbo_ring > 0) {
        size_t off[3], total = 0;
        for (int i = 0; i < n; i++) {
            off[i] = total;
            total += ((size_t)pl[i].w * (size_t)pl[i].bpp * (size_t)pl[i].h + PBO_ALIGN - 1) &
                     ~(size_t)(PBO_ALIGN - 1);
        }
        int k = p->pbo_next;
        p->pbo_next = (k + 1) % p->s.pbo_ring;
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, p->pbo[k]);
        if (p->pbo_cap[k] < (GLsizeiptr)total) {
            glBufferData(GL_PIXEL_UNPACK_BUFFER, (GLsizeiptr)total, NULL, GL_STREAM_DRAW);
            int err = kzv_gl_check("allocating a pixel buffer");
            if (err < 0) {
                p->pbo_cap[k] = 0;
                glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
                return err;
            }
            p->pbo_cap[k] = (GLsizeiptr)total;
        }
        /* The slot was last read `pbo_ring` uploads ago: wait for that copy
         * (normally long finished) and map without further synchronisation.
         * No orphaning (GL_MAP_INVALIDATE_BUFFER_BIT): a driver may then hand
         * out fresh memory every frame, whose first touch (page faults) can
         * cost as much as the copy itself. */
        if (p->pbo_fence[k]) {
            glClientWaitSync(p->pbo_fence[k], GL_SYNC_FLUSH_COMMANDS_BIT, UINT64_C(5000000000));
            glDeleteSync(p->pbo_fence[k]);
            p->pbo_fence[k] = NULL;
        }
        uint8_t *map = glMapBufferRange(GL_PIXEL_UNPACK_BUFFER, 0, (GLsizeiptr)total,
                                        GL_MAP_WRITE_BIT | GL_MAP_UNSYNCHRONIZED_BIT);
        if (!map) {
            int err = kzv_gl_check("mapping a pixel buffer");
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
            return err < 0 ? err : KZV_EGPU;
        }
        for (int i = 0; i < n; i++) {
            size_t row = (size_t)pl[i].w * (size_t)pl[i].bpp;
            uint8_t *d = map + off[i];
            if ((size_t)pl[i].stride == row) {
                memcpy(d, pl[i].data, row * (size_t)pl[i].h);
            } else {
                for (int y = 0; y < pl[i].h; y++)
                    memcpy(d + row * (size_t)y, pl[i].data + (size_t)pl[i].stride * (size_t)y, row);
            }
        }
        if (!glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER)) {
            /* The store was lost (rare: display mode change); nothing was read. */
            kzv_gl_clear_errors();
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
            kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: pixel buffer contents were lost");
            return KZV_EGPU;
        }
        for (int i = 0; i < n; i++) {
            glBindTexture(GL_TEXTURE_2D, pl[i].tex);
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, pl[i].w, pl[i].h, pl[i].fmt, pl[i].type,
                            (const void *)(uintptr_t)off[i]);
        }
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        p->pbo_fence[k] = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
        p->st.pbo_uploads++;
    } else {
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        for (int i = 0; i < n; i++) {
            glBindTexture(GL_TEXTURE_2D, pl[i].tex);
            if (pl[i].stride % pl[i].bpp == 0) {
                glPixelStorei(GL_UNPACK_ROW_LENGTH, pl[i].stride / pl[i].bpp);
                glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, pl[i].w, pl[i].h, pl[i].fmt,
                                pl[i].type, pl[i].data);
                glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
            } else {
                /* GL counts row length in pixels: a stride that is not a whole
                 * number of pixels (RGB24, or P010's 4-byte U,V pairs on a
                 * stride that is only even) can only be walked one row at a
                 * time. Rows of 16-bit samples still start 2-byte aligned:
                 * the uploader refuses odd strides for them. */
                for (int y = 0; y < pl[i].h; y++)
                    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, y, pl[i].w, 1, pl[i].fmt, pl[i].type,
                                    pl[i].data + (size_t)pl[i].stride * (size_t)y);
            }
        }
    }
    int err = kzv_gl_check("uploading pixels");
    if (err == KZV_OK)
        p->st.bytes_uploaded += bytes;
    return err;
}

#else
typedef int kzv_gl_upload_unused; /* ISO C: a translation unit is not empty */
#endif /* KZV_HAVE_GL */
