/*
 * Batches: frames by index, stacked into one (N, H, W, C) array (one array
 * per plane for YUV formats) with their pts, durations, indices and keyframe
 * flags, returned as a kzv.FrameBatch.
 *
 * The cost: kzv's public API decodes into its own pooled buffers, so every
 * frame is copied once into the stack (a memcpy of the picture, with the GIL
 * released; bench/python_bench.py measures it: for 48 1080p frames about
 * as long again as decoding them, the same as copying each frame into a
 * stacked numpy array by hand). The wanted indices are decoded in ascending
 * order in small chunks (16 MB: two 1080p RGB frames), so each group of
 * pictures is decoded once (the decoder goes on forward from chunk to
 * chunk), the pool's few buffers are reused while still in cache, and memory
 * stays at the stack plus one chunk; repeats are decoded once and copied to
 * each of their places.
 */
#include <stdlib.h>
#include <string.h>

#include "kzvpy.h"

#define CHUNK_BYTES (16u << 20)
#define CHUNK_MAX 32

typedef struct slot {
    int64_t index;
    size_t pos;           /* where it goes in the batch */
} slot;

static int by_index(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

typedef struct stack {
    kzv_pixfmt fmt;
    int width, height, planes;
    PyArrayObject *arr[4];
    size_t row_bytes[4];
    int rows[4];
    size_t plane_bytes[4];
} stack;

/* The stacked arrays for n frames shaped like `fmt` at w × h. */
static int stack_alloc(stack *s, kzv_pixfmt fmt, int w, int h, size_t n)
{
    memset(s, 0, sizeof(*s));
    s->fmt = fmt;
    s->width = w;
    s->height = h;
    s->planes = kzv_pixfmt_planes(fmt);
    for (int p = 0; p < s->planes; p++) {
        int64_t shape[3] = { 0 }, st[3] = { 0 };
        int sb = 1;
        int nd = kzvpy_plane_shape(fmt, w, h, 0, p, shape, st, &sb);
        if (!nd) {
            PyErr_SetString(PyExc_ValueError, "no frame size to stack");
            return -1;
        }
        npy_intp dims[4] = { (npy_intp)n };
        size_t row = (size_t)sb;
        for (int i = 0; i < nd; i++) {
            dims[i + 1] = (npy_intp)shape[i];
            if (i > 0)
                row *= (size_t)shape[i];
        }
        s->arr[p] = (PyArrayObject *)PyArray_SimpleNew(nd + 1, dims, sb == 2 ? NPY_UINT16 : NPY_UINT8);
        if (!s->arr[p])
            return -1;
        s->row_bytes[p] = row;
        s->rows[p] = (int)shape[0];
        s->plane_bytes[p] = row * (size_t)shape[0];
    }
    return 0;
}

static void stack_free(stack *s)
{
    for (int p = 0; p < 4; p++)
        Py_CLEAR(s->arr[p]);
}

/* Copy frame f into batch position pos (no Python calls: runs without the GIL). */
static void stack_put(stack *s, const kzv_frame *f, size_t pos)
{
    for (int p = 0; p < s->planes; p++) {
        uint8_t *dst = (uint8_t *)PyArray_DATA(s->arr[p]) + pos * s->plane_bytes[p];
        const uint8_t *src = f->data[p];
        if ((size_t)f->stride[p] == s->row_bytes[p]) {
            memcpy(dst, src, s->plane_bytes[p]);
            continue;
        }
        for (int y = 0; y < s->rows[p]; y++)
            memcpy(dst + (size_t)y * s->row_bytes[p], src + (size_t)y * (size_t)f->stride[p], s->row_bytes[p]);
    }
}

static PyObject *vector(size_t n, int type)
{
    npy_intp dims[1] = { (npy_intp)n };
    return PyArray_ZEROS(1, dims, type, 0);
}

PyObject *kzvpy_batch_decode(kzvpy_Decoder *self, const int64_t *indices, size_t n)
{
    if (!kzvpy_hook_batch) {
        PyErr_SetString(PyExc_RuntimeError, "kzv._kzv used without the kzv package (FrameBatch missing)");
        return NULL;
    }
    const kzv_video_info *info = kzv_decoder_info(self->d);
    PyObject *pts = vector(n, NPY_DOUBLE), *dur = vector(n, NPY_DOUBLE);
    PyObject *idx = vector(n, NPY_INT64), *key = vector(n, NPY_BOOL);
    slot *order = PyMem_Malloc(sizeof(*order) * (n ? n : 1));
    int64_t *want = PyMem_Malloc(sizeof(*want) * CHUNK_MAX);
    kzv_frame **got = PyMem_Calloc(CHUNK_MAX, sizeof(*got));
    stack st = { 0 };
    bool have_stack = false;
    PyObject *res = NULL;
    if (!pts || !dur || !idx || !key || !order || !want || !got) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (slot){ indices[i], i };
    qsort(order, n, sizeof(*order), by_index);

    /* Frames per chunk from the stream's size (the first frame's). */
    size_t frame_bytes = 0;
    for (int p = 0; p < kzv_pixfmt_planes(info->format); p++) {
        int64_t shape[3] = { 0 }, s3[3] = { 0 };
        int sb = 1;
        int nd = kzvpy_plane_shape(info->format, info->width, info->height, 0, p, shape, s3, &sb);
        size_t b = (size_t)sb;
        for (int i = 0; i < nd; i++)
            b *= (size_t)shape[i];
        frame_bytes += b;
    }
    size_t per_chunk = frame_bytes ? CHUNK_BYTES / frame_bytes : CHUNK_MAX;
    per_chunk = per_chunk < 1 ? 1 : (per_chunk > CHUNK_MAX ? CHUNK_MAX : per_chunk);

    double *vpts = PyArray_DATA((PyArrayObject *)pts), *vdur = PyArray_DATA((PyArrayObject *)dur);
    int64_t *vidx = PyArray_DATA((PyArrayObject *)idx);
    npy_bool *vkey = PyArray_DATA((PyArrayObject *)key);
    bool pixels = kzv_pixfmt_planes(info->format) > 0;

    size_t i = 0;
    while (i < n) {
        /* The next chunk: up to per_chunk distinct indices, ascending. */
        size_t k = 0, j = i;
        while (j < n && k < per_chunk) {
            want[k++] = order[j].index;
            while (++j < n && order[j].index == want[k - 1])
                ;
        }
        int err;
        KZVPY_DECODER_CALL(self->d, err, kzv_decoder_get_frames(self->d, want, k, got));
        if (err == KZVPY_SIGNALED) {
            for (size_t c = 0; c < k; c++)
                kzv_frame_unref(&got[c]);
            goto out;
        }
        if (err < 0) {
            kzvpy_decoder_raise(self, err);
            goto out;
        }
        if (pixels && !have_stack) {
            if (stack_alloc(&st, got[0]->format, got[0]->width, got[0]->height, n) < 0) {
                for (size_t c = 0; c < k; c++)
                    kzv_frame_unref(&got[c]);
                goto out;
            }
            have_stack = true;
        }
        /* Every frame must have the stack's shape. */
        for (size_t c = 0; pixels && c < k; c++) {
            const kzv_frame *f = got[c];
            if (f->width != st.width || f->height != st.height || f->format != st.fmt) {
                char msg[256];
                PyOS_snprintf(msg, sizeof(msg), "frame %lld is %dx%d %s, frame %lld %dx%d %s: frames of "
                              "different sizes cannot be stacked (open with keep_first_size=True)",
                              (long long)f->frame_index, f->width, f->height, kzv_pixfmt_name(f->format),
                              (long long)order[0].index, st.width, st.height, kzv_pixfmt_name(st.fmt));
                for (size_t c2 = 0; c2 < k; c2++)
                    kzv_frame_unref(&got[c2]);
                kzvpy_raise(KZV_EUNSUPPORTED, msg, NULL);
                goto out;
            }
        }
        /* Copy each into all of its places. */
        size_t end = j;
        Py_BEGIN_ALLOW_THREADS
        size_t c = 0;
        for (size_t q = i; q < end; q++) {
            while (want[c] != order[q].index)
                c++;
            const kzv_frame *f = got[c];
            size_t pos = order[q].pos;
            if (pixels)
                stack_put(&st, f, pos);
            vpts[pos] = f->pts;
            vdur[pos] = f->duration;
            vidx[pos] = f->frame_index;
            vkey[pos] = f->keyframe;
        }
        for (size_t c2 = 0; c2 < k; c2++)
            kzv_frame_unref(&got[c2]);
        Py_END_ALLOW_THREADS
        i = end;
    }

    PyObject *data;
    if (!pixels) {
        data = Py_NewRef(Py_None);
    } else {
        if (!have_stack) {    /* an empty batch keeps the stream's shape */
            if (stack_alloc(&st, info->format, info->width, info->height, 0) < 0)
                goto out;
            have_stack = true;
        }
        int sx, sy;
        if (st.planes == 1 && !kzv_pixfmt_chroma_shift(st.fmt, &sx, &sy)) {
            data = Py_NewRef((PyObject *)st.arr[0]);
        } else {
            data = PyTuple_New(st.planes);
            for (int p = 0; data && p < st.planes; p++)
                PyTuple_SET_ITEM(data, p, Py_NewRef((PyObject *)st.arr[p]));
        }
        if (!data)
            goto out;
    }
    res = PyObject_CallFunction(kzvpy_hook_batch, "NOOOO", data, pts, dur, idx, key);
out:
    stack_free(&st);
    Py_XDECREF(pts);
    Py_XDECREF(dur);
    Py_XDECREF(idx);
    Py_XDECREF(key);
    PyMem_Free(order);
    PyMem_Free(want);
    PyMem_Free(got);
    return res;
}
