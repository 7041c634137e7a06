/*
 * kzv.Scaler: the built-in lanczos upscaler (include/kzv/scale.h) on
 * VideoFrames — the pixels kzv.transcode(…, scale=N) writes, for jobs that
 * scale frame by frame themselves (kzv.dask's segments).
 *
 *   up = kzv.Scaler(2)
 *   big = up(frame)          # a VideoFrame: 2× the size, same format and timing
 *
 * The scale runs with the GIL released; calls from several threads on one
 * Scaler take turns.
 */
#include "kzvpy.h"

typedef struct kzvpy_Scaler {
    PyObject_HEAD
    kzv_scaler *s;
    kzvpy_turns turns;
} kzvpy_Scaler;

static PyObject *scaler_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "factor", NULL };
    int factor = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "i:Scaler", kwlist, &factor))
        return NULL;
    if (factor < 2 || factor > 16)
        return PyErr_Format(PyExc_ValueError, "Scaler: factor must be 2..16, not %d", factor);
    kzvpy_Scaler *self = (kzvpy_Scaler *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    if (kzvpy_turns_init(&self->turns) < 0) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    int err = kzv_scaler_open(&self->s, factor);
    if (err < 0) {
        Py_DECREF(self);
        return kzvpy_raise(err, "cannot make a scaler", NULL);
    }
    return (PyObject *)self;
}

static void scaler_dealloc(kzvpy_Scaler *self)
{
    kzv_scaler_close(&self->s);
    if (self->turns.ready)
        kzvpy_turns_destroy(&self->turns);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *scaler_call(kzvpy_Scaler *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "frame", NULL };
    PyObject *obj;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:Scaler.__call__", kwlist, &obj))
        return NULL;
    kzv_frame *in = kzvpy_frame_get(obj);
    if (!in)
        return NULL;
    in = kzv_frame_ref(in);         /* ours while the GIL is released */
    kzv_frame *out = NULL;
    int err;
    kzvpy_turns_take(&self->turns);
    Py_BEGIN_ALLOW_THREADS
    err = kzv_scaler_run(self->s, in, &out);
    Py_END_ALLOW_THREADS
    kzvpy_turns_give(&self->turns);
    if (err < 0) {
        char why[160];
        snprintf(why, sizeof(why), "cannot scale a %dx%d %s frame by %d", in->width, in->height,
                 kzv_pixfmt_name(in->format), kzv_scaler_factor(self->s));
        kzv_frame_unref(&in);
        return kzvpy_raise(err, why, NULL);
    }
    kzv_frame_unref(&in);
    return kzvpy_frame_new(out);
}

static PyObject *scaler_get_factor(kzvpy_Scaler *self, void *c)
{
    (void)c;
    return PyLong_FromLong(kzv_scaler_factor(self->s));
}

static PyGetSetDef scaler_getset[] = {
    { "factor", (getter)scaler_get_factor, NULL, "Width and height are multiplied by this.", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject kzvpy_ScalerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.Scaler",
    .tp_basicsize = sizeof(kzvpy_Scaler),
    .tp_dealloc = (destructor)scaler_dealloc,
    .tp_call = (ternaryfunc)scaler_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Scaler(factor)\n--\n\n"
              "The built-in upscaler (libswscale lanczos, accurate rounding, full chroma interpolation) by an "
              "integer factor 2..16: scaler(frame) returns a new VideoFrame of factor × the size in the same "
              "format, with the frame's timing and colour. A YUV frame is scaled in YUV. These are the pixels "
              "kzv.transcode(src, dst, scale=factor) encodes.",
    .tp_getset = scaler_getset,
    .tp_new = scaler_new,
};
