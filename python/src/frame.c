/*
 * kzv.VideoFrame: one decoded picture, a thin owner of a kzv_frame reference.
 *
 * No pixel is copied: `data` (and `planes`) are read-only numpy views on the
 * kzv_frame's own buffer. Each view's base is a capsule holding its own
 * kzv_frame reference, so an array outlives the VideoFrame, its decoder and
 * the decoder's close; the VideoFrame caches its view (the view does not
 * point back at the frame, so there is no reference cycle). The buffer
 * protocol, __array_interface__ and __dlpack__ export the same memory.
 *
 * Read-only because a kzv_frame may be shared: the queue and a batch can hold
 * the same frame, and a passthrough YUV frame is the codec's own picture,
 * which later frames are predicted from. DLPack 0.8 cannot say read-only:
 * a tensor made with from_dlpack() must be treated as read-only too.
 */
#include <string.h>

#include "kzvpy.h"

typedef struct kzvpy_Frame {
    PyObject_HEAD
    kzv_frame *f;
    PyObject *data;           /* cached: ndarray (packed) or tuple of planes (YUV) */
    Py_ssize_t shape[3];      /* for the buffer protocol (packed formats) */
    Py_ssize_t strides[3];
    PyObject *weakrefs;
} kzvpy_Frame;

/* ---- colour --------------------------------------------------------------- */

static PyStructSequence_Field color_fields[] = {
    { "matrix", "H.273 matrix coefficients code used for YUV <-> RGB (1 = BT.709, 5/6 = BT.601, 9 = BT.2020)" },
    { "matrix_name", "name of the matrix ('bt709', 'bt601', 'bt2020nc', ...)" },
    { "range", "1 = limited (tv), 2 = full (pc)" },
    { "range_name", "'limited' or 'full'" },
    { "primaries", "H.273 colour primaries as tagged (2 = unspecified)" },
    { "transfer", "H.273 transfer characteristics as tagged (2 = unspecified)" },
    { "matrix_tagged", "False: the stream did not say; matrix is kzv's default (BT.709 above 576 lines, else BT.601)" },
    { "range_tagged", "False: the stream did not say; limited range assumed" },
    { NULL, NULL },
};

PyStructSequence_Desc kzvpy_color_desc = {
    "kzv.Color", "The colour description of a stream or frame.", color_fields, 8,
};

PyObject *kzvpy_color_new(const kzv_color *c)
{
    PyObject *o = PyStructSequence_New(kzvpy_ColorType);
    if (!o)
        return NULL;
    PyObject *v[8] = {
        PyLong_FromLong(c->matrix), PyUnicode_FromString(kzv_color_matrix_name(c->matrix)),
        PyLong_FromLong(c->range), PyUnicode_FromString(kzv_color_range_name(c->range)),
        PyLong_FromLong(c->primaries), PyLong_FromLong(c->transfer),
        PyBool_FromLong(c->matrix_tagged), PyBool_FromLong(c->range_tagged),
    };
    bool ok = true;
    for (int i = 0; i < 8; i++) {
        ok = ok && v[i];
        PyStructSequence_SET_ITEM(o, i, v[i] ? v[i] : Py_NewRef(Py_None));
    }
    if (!ok) {
        Py_DECREF(o);
        return NULL;
    }
    return o;
}

/* ---- plane geometry and views ---------------------------------------------- */

int kzvpy_plane_shape(kzv_pixfmt fmt, int w, int h, int stride, int p,
                      int64_t shape[3], int64_t strides[3], int *sample_bytes)
{
    int planes = kzv_pixfmt_planes(fmt);
    if (p < 0 || p >= planes || w <= 0 || h <= 0)
        return 0;
    int sb = kzv_pixfmt_sample_bytes(fmt);
    *sample_bytes = sb;
    int sx, sy;
    if (!kzv_pixfmt_chroma_shift(fmt, &sx, &sy)) {     /* packed RGB */
        int c = fmt == KZV_PIXFMT_RGBA ? 4 : 3;
        shape[0] = h, shape[1] = w, shape[2] = c;
        strides[0] = stride, strides[1] = (int64_t)c * sb, strides[2] = sb;
        return 3;
    }
    if (p == 0) {
        shape[0] = h, shape[1] = w;
        strides[0] = stride, strides[1] = sb;
        return 2;
    }
    int64_t cw = (w + (1 << sx) - 1) >> sx, ch = (h + (1 << sy) - 1) >> sy;
    if (planes == 2) {          /* NV12 / P010: U and V interleaved */
        shape[0] = ch, shape[1] = cw, shape[2] = 2;
        strides[0] = stride, strides[1] = 2 * sb, strides[2] = sb;
        return 3;
    }
    shape[0] = ch, shape[1] = cw;
    strides[0] = stride, strides[1] = sb;
    return 2;
}

static void capsule_unref(PyObject *cap)
{
    kzv_frame *f = PyCapsule_GetPointer(cap, "kzv.frame");
    kzv_frame_unref(&f);
}

PyObject *kzvpy_plane_array(kzv_frame *f, int p)
{
    int64_t shape[3] = { 0 }, strides[3] = { 0 };
    int sb = 1;
    int nd = kzvpy_plane_shape(f->format, f->width, f->height, f->stride[p], p, shape, strides, &sb);
    if (!nd || !f->data[p]) {
        PyErr_SetString(PyExc_ValueError, "frame has no such plane");
        return NULL;
    }
    npy_intp dims[3], st[3];
    for (int i = 0; i < nd; i++) {
        dims[i] = (npy_intp)shape[i];
        st[i] = (npy_intp)strides[i];
    }
    PyObject *base = PyCapsule_New(kzv_frame_ref(f), "kzv.frame", capsule_unref);
    if (!base) {
        kzv_frame_unref(&f);   /* the reference meant for the capsule */
        return NULL;
    }
    /* flags 0: not writeable; numpy works out alignment and contiguity. */
    PyObject *arr = PyArray_New(&PyArray_Type, nd, dims, sb == 2 ? NPY_UINT16 : NPY_UINT8, st,
                                f->data[p], 0, 0, NULL);
    if (!arr) {
        Py_DECREF(base);
        return NULL;
    }
    if (PyArray_SetBaseObject((PyArrayObject *)arr, base) < 0) {   /* steals base */
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

static bool is_packed(const kzv_frame *f)
{
    int sx, sy;
    return kzv_pixfmt_planes(f->format) == 1 && !kzv_pixfmt_chroma_shift(f->format, &sx, &sy);
}

/* ---- construction ------------------------------------------------------------ */

PyObject *kzvpy_frame_new(kzv_frame *f)
{
    kzvpy_Frame *self = (kzvpy_Frame *)kzvpy_FrameType.tp_alloc(&kzvpy_FrameType, 0);
    if (!self) {
        kzv_frame_unref(&f);
        return NULL;
    }
    self->f = f;
    return (PyObject *)self;
}

kzv_frame *kzvpy_frame_get(PyObject *o)
{
    if (!PyObject_TypeCheck(o, &kzvpy_FrameType)) {
        PyErr_Format(PyExc_TypeError, "expected a kzv.VideoFrame, not %.100s", Py_TYPE(o)->tp_name);
        return NULL;
    }
    return ((kzvpy_Frame *)o)->f;
}

/* VideoFrame(data, *, pts=0.0, duration=0.0, frame_index=0, keyframe=True,
 * pts_ts=None, time_base=None, format=None): a frame of your own pixels. */
static PyObject *frame_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "data", "pts", "duration", "frame_index", "keyframe", "pts_ts",
                              "time_base", "format", NULL };
    PyObject *data, *pts_ts = Py_None, *time_base = Py_None, *format = Py_None;
    double pts = 0.0, duration = 0.0;
    long long index = 0;
    int keyframe = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$ddLpOOO:VideoFrame", kwlist, &data, &pts,
                                     &duration, &index, &keyframe, &pts_ts, &time_base, &format))
        return NULL;
    PyArrayObject *arr = (PyArrayObject *)PyArray_FROM_OF(data, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED);
    if (!arr)
        return NULL;
    kzv_pixfmt fmt = KZV_PIXFMT_NONE;
    int type_num = PyArray_TYPE(arr);
    if (PyArray_NDIM(arr) == 3 && PyArray_DIM(arr, 0) > 0 && PyArray_DIM(arr, 1) > 0) {
        npy_intp c = PyArray_DIM(arr, 2);
        if (type_num == NPY_UINT8 && c == 3)
            fmt = KZV_PIXFMT_RGB24;
        else if (type_num == NPY_UINT8 && c == 4)
            fmt = KZV_PIXFMT_RGBA;
        else if (type_num == NPY_UINT16 && c == 3)
            fmt = KZV_PIXFMT_RGB48;
    }
    if (fmt == KZV_PIXFMT_NONE) {
        Py_DECREF(arr);
        PyErr_SetString(PyExc_ValueError, "VideoFrame(data): data must be an (H, W, 3) uint8 (rgb24), "
                        "(H, W, 4) uint8 (rgba) or (H, W, 3) uint16 (rgb48) array");
        return NULL;
    }
    if (format != Py_None) {
        kzv_pixfmt want;
        if (kzvpy_pixfmt_from_object(format, &want) < 0 || want != fmt) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "format '%s' does not match the array (%s)",
                             PyUnicode_AsUTF8(format), kzv_pixfmt_name(fmt));
            Py_DECREF(arr);
            return NULL;
        }
    }
    if (PyArray_DIM(arr, 0) > 65536 || PyArray_DIM(arr, 1) > 65536) {
        Py_DECREF(arr);
        PyErr_SetString(PyExc_ValueError, "VideoFrame(data): picture too large");
        return NULL;
    }
    int w = (int)PyArray_DIM(arr, 1), h = (int)PyArray_DIM(arr, 0);
    kzv_frame *f = NULL;
    int err = kzv_frame_alloc(&f, w, h, fmt);
    if (err < 0) {
        Py_DECREF(arr);
        return kzvpy_raise(err, "cannot allocate the frame", NULL);
    }
    size_t row = (size_t)PyArray_STRIDE(arr, 0);
    const char *src = PyArray_BYTES(arr);
    for (int y = 0; y < h; y++)
        memcpy(f->data[0] + (size_t)y * (size_t)f->stride[0], src + (size_t)y * row, row);
    Py_DECREF(arr);
    f->pts = pts;
    f->duration = duration;
    f->frame_index = index;
    f->keyframe = keyframe;
    if (pts_ts != Py_None) {
        long long t = PyLong_AsLongLong(pts_ts);
        if (t == -1 && PyErr_Occurred())
            goto fail;
        f->pts_ts = t;
    }
    if (time_base != Py_None) {
        PyObject *num = PyObject_GetAttrString(time_base, "numerator");
        PyObject *den = num ? PyObject_GetAttrString(time_base, "denominator") : NULL;
        long n = num ? PyLong_AsLong(num) : -1, d = den ? PyLong_AsLong(den) : -1;
        Py_XDECREF(num);
        Py_XDECREF(den);
        if (PyErr_Occurred())
            goto fail;
        if (n < INT32_MIN || n > INT32_MAX || d <= 0 || d > INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "time_base must be a positive fraction");
            goto fail;
        }
        f->time_base = (kzv_rational){ (int)n, (int)d };
    }
    PyObject *self = kzvpy_frame_new(f);
    (void)type;   /* VideoFrame is final: no subclasses */
    return self;
fail:
    kzv_frame_unref(&f);
    return NULL;
}

static void frame_dealloc(kzvpy_Frame *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    Py_CLEAR(self->data);
    kzv_frame_unref(&self->f);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ---- attributes ------------------------------------------------------------- */

static PyObject *get_data(kzvpy_Frame *self, void *c)
{
    (void)c;
    kzv_frame *f = self->f;
    if (!self->data) {
        int planes = kzv_pixfmt_planes(f->format);
        if (planes <= 0 || !f->data[0]) {
            self->data = Py_NewRef(Py_None);          /* format 'none': timing only */
        } else if (is_packed(f)) {
            self->data = kzvpy_plane_array(f, 0);
        } else {
            PyObject *t = PyTuple_New(planes);
            for (int p = 0; t && p < planes; p++) {
                PyObject *a = kzvpy_plane_array(f, p);
                if (!a)
                    Py_CLEAR(t);
                else
                    PyTuple_SET_ITEM(t, p, a);
            }
            self->data = t;
        }
        if (!self->data)
            return NULL;
    }
    return Py_NewRef(self->data);
}

static PyObject *get_planes(kzvpy_Frame *self, void *c)
{
    PyObject *d = get_data(self, c);
    if (!d || PyTuple_Check(d))
        return d;
    PyObject *t = d == Py_None ? PyTuple_New(0) : PyTuple_Pack(1, d);
    Py_DECREF(d);
    return t;
}

static PyObject *get_width(kzvpy_Frame *self, void *c) { (void)c; return PyLong_FromLong(self->f->width); }
static PyObject *get_height(kzvpy_Frame *self, void *c) { (void)c; return PyLong_FromLong(self->f->height); }
static PyObject *get_pts(kzvpy_Frame *self, void *c) { (void)c; return PyFloat_FromDouble(self->f->pts); }
static PyObject *get_duration(kzvpy_Frame *self, void *c) { (void)c; return PyFloat_FromDouble(self->f->duration); }
static PyObject *get_index(kzvpy_Frame *self, void *c) { (void)c; return PyLong_FromLongLong(self->f->frame_index); }
static PyObject *get_keyframe(kzvpy_Frame *self, void *c) { (void)c; return PyBool_FromLong(self->f->keyframe); }
static PyObject *get_color(kzvpy_Frame *self, void *c) { (void)c; return kzvpy_color_new(&self->f->color); }

static PyObject *get_format(kzvpy_Frame *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(kzv_pixfmt_name(self->f->format));
}

static PyObject *get_pts_ts(kzvpy_Frame *self, void *c)
{
    (void)c;
    if (self->f->pts_ts == INT64_MIN)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(self->f->pts_ts);
}

static PyObject *get_time_base(kzvpy_Frame *self, void *c)
{
    (void)c;
    return kzvpy_fraction(self->f->time_base.num, self->f->time_base.den);
}

static PyObject *get_strides(kzvpy_Frame *self, void *c)
{
    (void)c;
    int planes = kzv_pixfmt_planes(self->f->format);
    PyObject *t = PyTuple_New(planes > 0 ? planes : 0);
    for (int p = 0; t && p < planes; p++)
        PyTuple_SET_ITEM(t, p, PyLong_FromLong(self->f->stride[p]));
    return t;
}

static PyObject *get_array_interface(kzvpy_Frame *self, void *c)
{
    (void)c;
    kzv_frame *f = self->f;
    if (!is_packed(f) || !f->data[0]) {
        PyErr_Format(PyExc_AttributeError, "%s frames have no single array: use frame.planes",
                     kzv_pixfmt_name(f->format));
        return NULL;
    }
    int64_t shape[3] = { 0 }, st[3] = { 0 };
    int sb = 1;
    kzvpy_plane_shape(f->format, f->width, f->height, f->stride[0], 0, shape, st, &sb);
    const char *typestr = sb == 1 ? "|u1" : (PY_LITTLE_ENDIAN ? "<u2" : ">u2");
    return Py_BuildValue("{s:(LLL),s:s,s:(NO),s:(LLL),s:i}",
                         "shape", (long long)shape[0], (long long)shape[1], (long long)shape[2],
                         "typestr", typestr,
                         "data", PyLong_FromVoidPtr(f->data[0]), Py_True,
                         "strides", (long long)st[0], (long long)st[1], (long long)st[2],
                         "version", 3);
}

static PyGetSetDef frame_getset[] = {
    { "data", (getter)get_data, NULL,
      "The pixels, a read-only numpy view on the frame's own buffer (no copy):\n"
      "(H, W, 3) uint8 for rgb24, (H, W, 4) uint8 for rgba, (H, W, 3) uint16 for\n"
      "rgb48; for YUV formats the tuple of planes (see planes); None for format\n"
      "'none'. The array keeps the frame's memory alive, also after the decoder\n"
      "is closed. Copy it (numpy.array(frame.data)) to modify it.", NULL },
    { "planes", (getter)get_planes, NULL,
      "The planes as read-only numpy views: (data,) for RGB formats; (Y, U, V)\n"
      "for planar YUV (Y (H, W), chroma subsampled); (Y, UV) for nv12/p010 with\n"
      "UV (H/2, W/2, 2). 10-bit formats are uint16 (p010: value << 6).", NULL },
    { "width", (getter)get_width, NULL, "Width in pixels (this frame's own).", NULL },
    { "height", (getter)get_height, NULL, "Height in pixels (this frame's own).", NULL },
    { "pts", (getter)get_pts, NULL, "Presentation time in seconds (pts_ts * time_base).", NULL },
    { "duration", (getter)get_duration, NULL, "Seconds until the next frame; 0.0 when unknown.", NULL },
    { "pts_ts", (getter)get_pts_ts, NULL, "Raw timestamp in time_base units, or None.", NULL },
    { "time_base", (getter)get_time_base, NULL, "The stream's time base (fractions.Fraction), or None.", NULL },
    { "frame_index", (getter)get_index, NULL, "0-based position in display order (true after seeks).", NULL },
    { "keyframe", (getter)get_keyframe, NULL, "True for a random-access point.", NULL },
    { "format", (getter)get_format, NULL, "Pixel format name ('rgb24', 'rgba', 'rgb48', 'yuv420p', ...).", NULL },
    { "color", (getter)get_color, NULL, "The source's colour description (kzv.Color).", NULL },
    { "strides", (getter)get_strides, NULL, "Bytes per row of each plane.", NULL },
    { "__array_interface__", (getter)get_array_interface, NULL,
      "numpy's array interface (version 3) on the frame's memory (RGB formats).", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

/* ---- methods ------------------------------------------------------------------ */

/* The __dlpack__ keywords: only what a CPU export without copies can honour. */
static int dlpack_args(PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "stream", "max_version", "dl_device", "copy", NULL };
    PyObject *stream = Py_None, *max_version = Py_None, *dl_device = Py_None, *copy = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OOOO:__dlpack__", kwlist, &stream,
                                     &max_version, &dl_device, &copy))
        return -1;
    (void)max_version;   /* we export the unversioned (0.8) capsule, which a consumer must accept */
    if (stream != Py_None) {
        PyErr_SetString(PyExc_BufferError, "kzv frames live in CPU memory: stream must be None");
        return -1;
    }
    if (dl_device != Py_None) {
        PyObject *cpu = Py_BuildValue("(ii)", 1, 0);
        int same = cpu ? PyObject_RichCompareBool(dl_device, cpu, Py_EQ) : -1;
        Py_XDECREF(cpu);
        if (same <= 0) {
            if (same == 0)
                PyErr_SetString(PyExc_BufferError, "kzv frames can only be exported to the CPU (1, 0)");
            return -1;
        }
    }
    if (copy != Py_None && PyObject_IsTrue(copy)) {
        PyErr_SetString(PyExc_BufferError, "kzv exports frames without copies (copy=True refused)");
        return -1;
    }
    return 0;
}

static PyObject *frame_dlpack(kzvpy_Frame *self, PyObject *args, PyObject *kwargs)
{
    if (dlpack_args(args, kwargs) < 0)
        return NULL;
    if (!is_packed(self->f) || !self->f->data[0]) {
        PyErr_Format(PyExc_BufferError, "%s frames have %d planes: export frame.plane(i) instead",
                     kzv_pixfmt_name(self->f->format), kzv_pixfmt_planes(self->f->format));
        return NULL;
    }
    return kzvpy_dlpack_capsule(self->f, 0);
}

static PyObject *frame_dlpack_device(kzvpy_Frame *self, PyObject *unused)
{
    (void)self, (void)unused;
    return Py_BuildValue("(ii)", 1, 0);    /* kDLCPU, device 0 */
}

typedef struct kzvpy_Plane {
    PyObject_HEAD
    kzv_frame *f;       /* a reference of its own */
    int plane;
} kzvpy_Plane;

static PyObject *frame_plane(kzvpy_Frame *self, PyObject *arg)
{
    long p = PyLong_AsLong(arg);
    if (p == -1 && PyErr_Occurred())
        return NULL;
    if (p < 0 || p >= kzv_pixfmt_planes(self->f->format) || !self->f->data[p]) {
        PyErr_Format(PyExc_IndexError, "%s frames have %d planes", kzv_pixfmt_name(self->f->format),
                     kzv_pixfmt_planes(self->f->format));
        return NULL;
    }
    kzvpy_Plane *pl = PyObject_New(kzvpy_Plane, &kzvpy_PlaneType);
    if (!pl)
        return NULL;
    pl->f = kzv_frame_ref(self->f);
    pl->plane = (int)p;
    return (PyObject *)pl;
}

static PyObject *frame_save_png(kzvpy_Frame *self, PyObject *arg)
{
    PyObject *bytes = NULL;
    if (!PyUnicode_FSConverter(arg, &bytes))
        return NULL;
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_frame_write_png(self->f, PyBytes_AS_STRING(bytes));
    Py_END_ALLOW_THREADS
    if (err < 0) {
        kzvpy_raise(err, err == KZV_EIO ? "cannot write the PNG file" : NULL, arg);
        Py_DECREF(bytes);
        return NULL;
    }
    Py_DECREF(bytes);
    Py_RETURN_NONE;
}

static PyObject *frame_buffer_address(kzvpy_Frame *self, PyObject *args)
{
    int p = 0;
    if (!PyArg_ParseTuple(args, "|i:_buffer_address", &p))
        return NULL;
    if (p < 0 || p >= 4 || p >= kzv_pixfmt_planes(self->f->format)) {
        PyErr_SetString(PyExc_IndexError, "no such plane");
        return NULL;
    }
    return PyLong_FromVoidPtr(self->f->data[p]);
}

static PyObject *frame_repr(kzvpy_Frame *self)
{
    const kzv_frame *f = self->f;
    char pts[32];
    PyOS_snprintf(pts, sizeof(pts), "%.3f", f->pts);
    return PyUnicode_FromFormat("<kzv.VideoFrame #%lld %dx%d %s pts=%s>", (long long)f->frame_index,
                                f->width, f->height, kzv_pixfmt_name(f->format), pts);
}

static PyMethodDef frame_methods[] = {
    { "__dlpack__", KZVPY_KW(frame_dlpack), METH_VARARGS | METH_KEYWORDS,
      "__dlpack__(*, stream=None)\n--\n\n"
      "A DLPack capsule ('dltensor', DLPack 0.8) on the frame's memory, for\n"
      "numpy.from_dlpack(frame) or torch.from_dlpack(frame): (H, W, C) uint8 or\n"
      "uint16 on the CPU, no copy; the tensor holds its own frame reference.\n"
      "RGB formats only. Treat the tensor as read-only." },
    { "__dlpack_device__", (PyCFunction)frame_dlpack_device, METH_NOARGS,
      "__dlpack_device__()\n--\n\n(1, 0): the CPU." },
    { "plane", (PyCFunction)frame_plane, METH_O,
      "plane(i)\n--\n\nPlane i as an object with __dlpack__ (and __array_interface__), for\n"
      "torch.from_dlpack(frame.plane(0)) on YUV frames; no copy, it keeps the frame alive." },
    { "save_png", (PyCFunction)frame_save_png, METH_O,
      "save_png(path)\n--\n\nWrite the frame as a PNG (8-bit RGB/RGBA, 16-bit for rgb48)." },
    { "_buffer_address", (PyCFunction)frame_buffer_address, METH_VARARGS,
      "_buffer_address(plane=0)\n--\n\nAddress of the kzv_frame's plane (for tests)." },
    { NULL, NULL, 0, NULL },
};

/* ---- buffer protocol (RGB formats) ---------------------------------------------- */

static int frame_getbuffer(kzvpy_Frame *self, Py_buffer *view, int flags)
{
    kzv_frame *f = self->f;
    if (!is_packed(f) || !f->data[0]) {
        PyErr_Format(PyExc_BufferError, "%s frames have no single buffer: use frame.planes",
                     kzv_pixfmt_name(f->format));
        return -1;
    }
    if (flags & PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "VideoFrame pixels are read-only");
        return -1;
    }
    int64_t shape[3] = { 0 }, st[3] = { 0 };
    int sb = 1;
    kzvpy_plane_shape(f->format, f->width, f->height, f->stride[0], 0, shape, st, &sb);
    bool contiguous = st[0] == shape[1] * shape[2] * sb;
    if (!contiguous && (flags & PyBUF_STRIDES) != PyBUF_STRIDES) {
        PyErr_SetString(PyExc_BufferError, "the frame's rows are padded: a strided buffer is needed");
        return -1;
    }
    if (sb != 1 && (flags & PyBUF_ND) && !(flags & PyBUF_FORMAT)) {
        PyErr_SetString(PyExc_BufferError, "rgb48 frames need a buffer request with a format");
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        self->shape[i] = (Py_ssize_t)shape[i];
        self->strides[i] = (Py_ssize_t)st[i];
    }
    view->obj = Py_NewRef((PyObject *)self);
    view->buf = f->data[0];
    view->len = (Py_ssize_t)(shape[0] * shape[1] * shape[2] * sb);
    view->readonly = 1;
    view->itemsize = sb;
    view->format = (flags & PyBUF_FORMAT) ? (sb == 1 ? "B" : "H") : NULL;
    view->ndim = (flags & PyBUF_ND) ? 3 : 1;
    view->shape = (flags & PyBUF_ND) ? self->shape : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? self->strides : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    return 0;
}

static PyBufferProcs frame_as_buffer = {
    .bf_getbuffer = (getbufferproc)frame_getbuffer,
    .bf_releasebuffer = NULL,
};

PyTypeObject kzvpy_FrameType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.VideoFrame",
    .tp_basicsize = sizeof(kzvpy_Frame),
    .tp_dealloc = (destructor)frame_dealloc,
    .tp_repr = (reprfunc)frame_repr,
    .tp_as_buffer = &frame_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "VideoFrame(data, *, pts=0.0, duration=0.0, frame_index=0, keyframe=True,\n"
              "           pts_ts=None, time_base=None, format=None)\n--\n\n"
              "A decoded picture with its exact timing. Frames from a decoder share the\n"
              "decoder's buffer (no copy); constructed from an array, the pixels are\n"
              "copied into a new frame ((H, W, 3) uint8 → rgb24, (H, W, 4) uint8 → rgba,\n"
              "(H, W, 3) uint16 → rgb48). Immutable; thread-safe to read.",
    .tp_weaklistoffset = offsetof(kzvpy_Frame, weakrefs),
    .tp_methods = frame_methods,
    .tp_getset = frame_getset,
    .tp_new = frame_tp_new,
};

/* ---- one plane, for DLPack consumers ----------------------------------------------- */

static void plane_dealloc(kzvpy_Plane *self)
{
    kzv_frame_unref(&self->f);
    PyObject_Free(self);
}

static PyObject *plane_dlpack(kzvpy_Plane *self, PyObject *args, PyObject *kwargs)
{
    if (dlpack_args(args, kwargs) < 0)
        return NULL;
    return kzvpy_dlpack_capsule(self->f, self->plane);
}

static PyObject *plane_array_interface(kzvpy_Plane *self, void *c)
{
    (void)c;
    PyObject *a = kzvpy_plane_array(self->f, self->plane);
    if (!a)
        return NULL;
    PyObject *d = PyObject_GetAttrString(a, "__array_interface__");
    Py_DECREF(a);
    return d;
}

static PyObject *plane_shape(kzvpy_Plane *self, void *c)
{
    (void)c;
    int64_t shape[3] = { 0 }, st[3] = { 0 };
    int sb = 1;
    int nd = kzvpy_plane_shape(self->f->format, self->f->width, self->f->height, self->f->stride[self->plane],
                               self->plane, shape, st, &sb);
    PyObject *t = PyTuple_New(nd);
    for (int i = 0; t && i < nd; i++)
        PyTuple_SET_ITEM(t, i, PyLong_FromLongLong(shape[i]));
    return t;
}

static PyMethodDef plane_methods[] = {
    { "__dlpack__", KZVPY_KW(plane_dlpack), METH_VARARGS | METH_KEYWORDS,
      "__dlpack__(*, stream=None)\n--\n\nA DLPack capsule on this plane (uint8 or uint16, CPU, no copy)." },
    { "__dlpack_device__", (PyCFunction)frame_dlpack_device, METH_NOARGS,
      "__dlpack_device__()\n--\n\n(1, 0): the CPU." },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef plane_getset[] = {
    { "__array_interface__", (getter)plane_array_interface, NULL, "numpy's array interface on the plane.", NULL },
    { "shape", (getter)plane_shape, NULL, "(rows, columns[, 2]) of the plane.", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject kzvpy_PlaneType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.FramePlane",
    .tp_basicsize = sizeof(kzvpy_Plane),
    .tp_dealloc = (destructor)plane_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One plane of a VideoFrame (frame.plane(i)), exported to DLPack consumers without a copy.",
    .tp_methods = plane_methods,
    .tp_getset = plane_getset,
};
