/*
 * kzv.VideoEncoder: a kzv_encoder for Python. write() takes a VideoFrame
 * (its own timestamp, colour and layout) or an array — numpy, or anything
 * numpy can view without copying (a CPU torch tensor) — of shape (H, W, 3)
 * uint8 (rgb24), (H, W, 4) uint8 (rgba) or (H, W, 3) uint16 (rgb48). Arrays
 * are wrapped in place (kzv_frame_wrap), not copied; the encoder converts
 * them to the output's YUV with the output's matrix and range.
 *
 * Thread-safety: one call at a time (the object's lock makes other threads
 * wait, GIL released); writes and close run with the GIL released.
 */
#include "kzvpy.h"

typedef struct kzvpy_Encoder {
    PyObject_HEAD
    kzv_encoder *e;
    kzvpy_turns turns;
    PyObject *path;
    kzv_rational time_base;     /* for arrays: settings' time base (or 1/frame_rate) */
    kzv_color color;            /* for arrays: the colour they are in */
    int64_t next_pts;           /* for arrays without pts: frame count */
    bool auto_pts_ok;
} kzvpy_Encoder;

static int enter(kzvpy_Encoder *self)
{
    if (!self->turns.ready || !self->e) {
        kzvpy_raise_closed("the encoder");
        return -1;
    }
    kzvpy_turns_take(&self->turns);
    if (!self->e) {
        kzvpy_turns_give(&self->turns);
        kzvpy_raise_closed("the encoder");
        return -1;
    }
    return 0;
}

/* ---- settings ------------------------------------------------------------ */

static int rational_from(PyObject *o, kzv_rational *r, const char *what)
{
    if (o == Py_None)
        return 0;
    PyObject *num = PyObject_GetAttrString(o, "numerator"), *den = num ? PyObject_GetAttrString(o, "denominator") : NULL;
    if (!num || !den) {
        Py_XDECREF(num);
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be a fractions.Fraction or int, not %.100s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    long n = PyLong_AsLong(num), d = PyLong_AsLong(den);
    Py_DECREF(num);
    Py_DECREF(den);
    if (PyErr_Occurred())
        return -1;
    if (n <= 0 || d <= 0 || n > INT32_MAX || d > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "%s must be positive and fit in 32 bits", what);
        return -1;
    }
    *r = (kzv_rational){ (int)n, (int)d };
    return 0;
}

static int int_or_none(PyObject *o, int *out, int lo, int hi, const char *what)
{
    if (o == Py_None)
        return 0;
    long v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < lo || v > hi) {
        PyErr_Format(PyExc_ValueError, "%s must be in [%d, %d], not %ld", what, lo, hi, v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* options: a dict {key: value} or an iterable of "key=value" strings, into a
 * list of str (kept alive in *keep) and a NULL-terminated array. */
static int options_from(PyObject *o, PyObject **keep, const char ***arr)
{
    *keep = NULL;
    *arr = NULL;
    if (o == Py_None)
        return 0;
    PyObject *list = PyList_New(0);
    if (!list)
        return -1;
    if (PyDict_Check(o)) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(o, &pos, &k, &v)) {
            PyObject *s = PyUnicode_FromFormat("%S=%S", k, v);
            if (!s || PyList_Append(list, s) < 0) {
                Py_XDECREF(s);
                Py_DECREF(list);
                return -1;
            }
            Py_DECREF(s);
        }
    } else if (PyUnicode_Check(o)) {
        Py_DECREF(list);
        PyErr_SetString(PyExc_TypeError, "options must be a dict or a list of 'key=value' strings, not one str");
        return -1;
    } else {
        PyObject *it = PyObject_GetIter(o);
        if (!it) {
            Py_DECREF(list);
            return -1;
        }
        for (PyObject *s; (s = PyIter_Next(it));) {
            int bad = !PyUnicode_Check(s) ? (PyErr_Format(PyExc_TypeError, "options: %R is not a str", s), 1)
                                          : PyList_Append(list, s) < 0;
            Py_DECREF(s);
            if (bad) {
                Py_DECREF(it);
                Py_DECREF(list);
                return -1;
            }
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            Py_DECREF(list);
            return -1;
        }
    }
    Py_ssize_t n = PyList_GET_SIZE(list);
    *arr = PyMem_Calloc((size_t)n + 1, sizeof(**arr));
    if (!*arr) {
        Py_DECREF(list);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!((*arr)[i] = PyUnicode_AsUTF8(PyList_GET_ITEM(list, i)))) {
            PyMem_Free(*arr);
            *arr = NULL;
            Py_DECREF(list);
            return -1;
        }
    *keep = list;
    return 0;
}

static int str_or_none(PyObject *o, const char **out, const char *what)
{
    if (o == Py_None)
        return 0;
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    return (*out = PyUnicode_AsUTF8(o)) ? 0 : -1;
}

/* color=: a kzv.Color (a decoder's or a frame's), copied for arrays and
 * as the output's default tags. */
static int color_from(PyObject *o, kzv_color *c)
{
    if (o == Py_None)
        return 0;
    if (!PyObject_TypeCheck(o, kzvpy_ColorType)) {
        PyErr_Format(PyExc_TypeError, "color must be a kzv.Color (decoder.color, frame.color), not %.100s",
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    static const char *names[] = { "matrix", "range", "primaries", "transfer" };
    int v[4];
    for (int i = 0; i < 4; i++) {
        PyObject *a = PyObject_GetAttrString(o, names[i]);
        v[i] = a ? (int)PyLong_AsLong(a) : -1;
        Py_XDECREF(a);
        if (PyErr_Occurred())
            return -1;
    }
    c->matrix = v[0];
    c->range = v[1];
    c->primaries = v[2];
    c->transfer = v[3];
    return 0;
}

static int encoder_init(kzvpy_Encoder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "path", "codec", "crf", "qp", "preset", "options", "pix_fmt", "width", "height",
                              "matrix", "range", "primaries", "transfer", "time_base", "frame_rate",
                              "container", "threads", "color", NULL };
    PyObject *path = NULL, *codec = Py_None, *crf = Py_None, *qp = Py_None, *preset = Py_None,
             *options = Py_None, *pix_fmt = Py_None, *width = Py_None, *height = Py_None, *matrix = Py_None,
             *range = Py_None, *primaries = Py_None, *transfer = Py_None, *time_base = Py_None,
             *frame_rate = Py_None, *container = Py_None, *threads = Py_None, *color = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOOOOOOOOOOOOOOO:VideoEncoder", kwlist, &path, &codec,
                                     &crf, &qp, &preset, &options, &pix_fmt, &width, &height, &matrix, &range,
                                     &primaries, &transfer, &time_base, &frame_rate, &container, &threads, &color))
        return -1;
    if (self->e) {
        PyErr_SetString(PyExc_RuntimeError, "VideoEncoder.__init__ called twice");
        return -1;
    }
    kzv_encoder_settings s;
    kzv_encoder_default_settings(&s);
    PyObject *fspath = NULL, *bytes = NULL, *keep = NULL;
    const char **opts = NULL;
    int rc = -1;
    self->color = (kzv_color){ .matrix = -1, .range = -1, .primaries = -1, .transfer = -1 };
    if (!(fspath = PyOS_FSPath(path)) || !PyUnicode_FSConverter(fspath, &bytes) ||
        str_or_none(codec, &s.codec, "codec") < 0 || str_or_none(preset, &s.preset, "preset") < 0 ||
        str_or_none(container, &s.container, "container") < 0 ||
        int_or_none(qp, &s.qp, 0, 1000, "qp") < 0 || int_or_none(width, &s.width, 1, 1 << 16, "width") < 0 ||
        int_or_none(height, &s.height, 1, 1 << 16, "height") < 0 ||
        int_or_none(matrix, &s.matrix, 0, 255, "matrix") < 0 || int_or_none(range, &s.range, 0, 2, "range") < 0 ||
        int_or_none(primaries, &s.primaries, 0, 255, "primaries") < 0 ||
        int_or_none(transfer, &s.transfer, 0, 255, "transfer") < 0 ||
        int_or_none(threads, &s.threads, 0, 1024, "threads") < 0 ||
        rational_from(time_base, &s.time_base, "time_base") < 0 ||
        rational_from(frame_rate, &s.frame_rate, "frame_rate") < 0 ||
        options_from(options, &keep, &opts) < 0 || color_from(color, &self->color) < 0)
        goto end;
    if (crf != Py_None) {
        s.crf = PyFloat_AsDouble(crf);
        if (s.crf == -1.0 && PyErr_Occurred())
            goto end;
        if (!(s.crf >= 0 && s.crf <= 1000)) {
            PyErr_SetString(PyExc_ValueError, "crf must be >= 0");
            goto end;
        }
    }
    if (pix_fmt != Py_None && kzvpy_pixfmt_from_object(pix_fmt, &s.format) < 0)
        goto end;
    if (self->color.matrix >= 0 && s.matrix < 0) s.matrix = self->color.matrix;
    if (self->color.range >= 0 && s.range < 0) s.range = self->color.range;
    if (self->color.primaries >= 0 && s.primaries < 0) s.primaries = self->color.primaries;
    if (self->color.transfer >= 0 && s.transfer < 0) s.transfer = self->color.transfer;
    s.options = opts;
    /* Arrays carry no timing: their pts count in time_base (or 1/frame_rate). */
    self->time_base = s.time_base;
    if (self->time_base.num <= 0 && s.frame_rate.num > 0)
        self->time_base = (kzv_rational){ s.frame_rate.den, s.frame_rate.num };
    self->auto_pts_ok = s.frame_rate.num > 0 && time_base == Py_None;
    if (kzvpy_turns_init(&self->turns) < 0) {
        PyErr_NoMemory();
        goto end;
    }
    int err;
    char msg[1024] = "";
    const char *p = PyBytes_AS_STRING(bytes);
    Py_BEGIN_ALLOW_THREADS
    err = kzv_encoder_open(&self->e, p, &s);
    if (err < 0)
        snprintf(msg, sizeof(msg), "%s", kzv_encoder_last_error(NULL));
    Py_END_ALLOW_THREADS
    if (err < 0) {
        kzvpy_raise(err, msg, fspath);
        goto end;
    }
    self->path = Py_NewRef(fspath);
    rc = 0;
end:
    PyMem_Free(opts);
    Py_XDECREF(keep);
    Py_XDECREF(bytes);
    Py_XDECREF(fspath);
    return rc;
}

/* ---- write ----------------------------------------------------------------- */

static void unref_frame(void *opaque)
{
    kzv_frame *f = opaque;
    kzv_frame_unref(&f);
}

static void release_view(void *opaque)
{
    PyGILState_STATE g = PyGILState_Ensure();
    Py_buffer *view = opaque;
    PyBuffer_Release(view);
    PyMem_Free(view);
    PyGILState_Release(g);
}

/* Wrap an array-like as a kzv_frame without copying. NULL with an exception. */
static kzv_frame *wrap_array(kzvpy_Encoder *self, PyObject *obj, int64_t pts)
{
    PyObject *arr = PyArray_FromAny(obj, NULL, 0, 0, 0, NULL);   /* a view when obj already is one */
    if (!arr)
        return NULL;
    Py_buffer *view = PyMem_Calloc(1, sizeof(*view));
    if (!view) {
        Py_DECREF(arr);
        PyErr_NoMemory();
        return NULL;
    }
    int got = PyObject_GetBuffer(arr, view, PyBUF_STRIDES | PyBUF_FORMAT);
    Py_DECREF(arr);          /* the view holds its own reference */
    if (got < 0) {
        PyMem_Free(view);
        return NULL;
    }
    kzv_frame desc = { 0 };
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    bool u8 = !strcmp(f, "B"), u16 = !strcmp(f, "H");
    Py_ssize_t c = view->ndim == 3 ? view->shape[2] : 0;
    desc.format = u8 && c == 3 ? KZV_PIXFMT_RGB24 : u8 && c == 4 ? KZV_PIXFMT_RGBA
                : u16 && c == 3 ? KZV_PIXFMT_RGB48 : KZV_PIXFMT_NONE;
    if (desc.format == KZV_PIXFMT_NONE || view->shape[0] < 1 || view->shape[1] < 1 ||
        view->shape[0] > INT32_MAX || view->shape[1] > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "write(): an (H, W, 3) uint8, (H, W, 4) uint8 or (H, W, 3) uint16 array "
                     "is needed (got %d dimensions, format '%s')", view->ndim, f);
        goto fail;
    }
    if (view->strides[2] != view->itemsize || view->strides[1] != c * view->itemsize ||
        view->strides[0] < view->shape[1] * view->strides[1] || view->strides[0] > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "write(): the array's pixels must be packed (a row of W*C samples; "
                        "rows may be padded): use numpy.ascontiguousarray()");
        goto fail;
    }
    desc.data[0] = view->buf;
    desc.stride[0] = (int)view->strides[0];
    desc.width = (int)view->shape[1];
    desc.height = (int)view->shape[0];
    desc.pts_ts = pts;
    desc.time_base = self->time_base;
    desc.pts = (double)pts * self->time_base.num / self->time_base.den;
    desc.frame_index = -1;
    desc.color = self->color;
    kzv_frame *out = NULL;
    int err = kzv_frame_wrap(&out, &desc, release_view, view);
    if (err < 0) {
        kzvpy_raise(err, "cannot wrap the array as a frame", NULL);
        goto fail;
    }
    return out;
fail:
    PyBuffer_Release(view);
    PyMem_Free(view);
    return NULL;
}

static PyObject *encoder_write(kzvpy_Encoder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "frame", "pts", NULL };
    PyObject *obj = NULL, *pts_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:write", kwlist, &obj, &pts_o))
        return NULL;
    long long pts = 0;
    if (pts_o != Py_None && (pts = PyLong_AsLongLong(pts_o)) == -1 && PyErr_Occurred())
        return NULL;
    if (enter(self) < 0)
        return NULL;
    PyObject *res = NULL;
    kzv_frame *f = NULL, *given = NULL;
    if (PyObject_TypeCheck(obj, &kzvpy_FrameType)) {
        given = kzvpy_frame_get(obj);
        if (pts_o != Py_None) {      /* retimed: a wrap of the same pixels with the new pts */
            kzv_frame desc = *given;
            desc.pts_ts = pts;
            desc.time_base = self->time_base.num > 0 ? self->time_base : given->time_base;
            desc.pts = (double)pts * desc.time_base.num / desc.time_base.den;
            kzv_frame *keep = kzv_frame_ref(given);
            if (kzv_frame_wrap(&f, &desc, unref_frame, keep) < 0) {
                kzv_frame_unref(&keep);
                PyErr_NoMemory();
                goto out;
            }
        } else {
            f = kzv_frame_ref(given);
        }
    } else {
        if (self->time_base.num <= 0) {
            PyErr_SetString(PyExc_ValueError, "write(array): give the encoder a time_base or frame_rate, "
                            "so the array's pts means something");
            goto out;
        }
        if (pts_o == Py_None) {
            if (!self->auto_pts_ok) {
                PyErr_SetString(PyExc_ValueError, "write(array): pts is needed (in the encoder's time_base); "
                                "only an encoder with frame_rate and no time_base numbers frames itself");
                goto out;
            }
            pts = self->next_pts;
        }
        if (!(f = wrap_array(self, obj, pts)))
            goto out;
    }
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_encoder_write(self->e, f);
    Py_END_ALLOW_THREADS
    if (err < 0) {
        kzvpy_raise(err, kzv_encoder_last_error(self->e), self->path);
        goto out;
    }
    self->next_pts = pts + 1;
    res = Py_NewRef(Py_None);
out:
    kzv_frame_unref(&f);
    kzvpy_turns_give(&self->turns);
    return res;
}

/* ---- close / abort ----------------------------------------------------------- */

static PyObject *finish(kzvpy_Encoder *self, bool abort)
{
    if (!self->turns.ready || !self->e)
        Py_RETURN_NONE;                 /* idempotent */
    kzvpy_turns_take(&self->turns);
    kzv_encoder *e = self->e;
    self->e = NULL;
    int err = KZV_OK;
    char msg[1024] = "";
    Py_BEGIN_ALLOW_THREADS
    if (abort) {
        kzv_encoder_abort(&e);
    } else {
        err = kzv_encoder_close(&e);
        if (err < 0)
            snprintf(msg, sizeof(msg), "%s", kzv_encoder_last_error(NULL));
    }
    Py_END_ALLOW_THREADS
    kzvpy_turns_give(&self->turns);
    if (err < 0)
        return kzvpy_raise(err, msg, self->path);
    Py_RETURN_NONE;
}

static PyObject *encoder_close(kzvpy_Encoder *self, PyObject *unused) { (void)unused; return finish(self, false); }
static PyObject *encoder_abort(kzvpy_Encoder *self, PyObject *unused) { (void)unused; return finish(self, true); }

static PyObject *encoder_enter_ctx(kzvpy_Encoder *self, PyObject *unused)
{
    (void)unused;
    if (!self->e)
        return kzvpy_raise_closed("the encoder");
    return Py_NewRef(self);
}

/* A with-block that raised leaves no file: abort; otherwise close. */
static PyObject *encoder_exit_ctx(kzvpy_Encoder *self, PyObject *args)
{
    PyObject *type = PyTuple_GET_SIZE(args) > 0 ? PyTuple_GET_ITEM(args, 0) : Py_None;
    PyObject *r = finish(self, type != Py_None);
    if (!r)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

static PyObject *encoder_stats(kzvpy_Encoder *self, PyObject *unused)
{
    (void)unused;
    if (enter(self) < 0)
        return NULL;
    kzv_encoder_stats st;
    kzv_encoder_get_stats(self->e, &st);
    kzvpy_turns_give(&self->turns);
    return Py_BuildValue("{s:L,s:L,s:L,s:d,s:d}", "frames_in", (long long)st.frames_in,
                         "packets_out", (long long)st.packets_out, "bytes_out", (long long)st.bytes_out,
                         "convert_seconds", st.convert_ns / 1e9, "encode_seconds", st.encode_ns / 1e9);
}

static PyObject *get_closed(kzvpy_Encoder *self, void *c)
{
    (void)c;
    return PyBool_FromLong(self->e == NULL);
}

static PyObject *get_path(kzvpy_Encoder *self, void *c)
{
    (void)c;
    return Py_NewRef(self->path ? self->path : Py_None);
}

static void encoder_dealloc(kzvpy_Encoder *self)
{
    if (self->e) {                      /* never closed: nothing was finished */
        kzv_encoder *e = self->e;
        self->e = NULL;
        Py_BEGIN_ALLOW_THREADS
        kzv_encoder_abort(&e);
        Py_END_ALLOW_THREADS
    }
    if (self->turns.ready)
        kzvpy_turns_destroy(&self->turns);
    Py_CLEAR(self->path);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyGetSetDef encoder_getset[] = {
    { "closed", (getter)get_closed, NULL, "True after close() or abort().", NULL },
    { "path", (getter)get_path, NULL, "The output file name.", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef encoder_methods[] = {
    { "write", KZVPY_KW(encoder_write), METH_VARARGS | METH_KEYWORDS,
      "write(frame, pts=None)\n--\n\n"
      "Encode one picture: a VideoFrame (written with its own pts and time base,\n"
      "or `pts` in the encoder's time base) or an (H, W, 3|4) uint8 / (H, W, 3)\n"
      "uint16 array (wrapped, not copied) with `pts` in the encoder's time_base\n"
      "(an encoder given frame_rate and no time_base numbers frames 0, 1, 2 …).\n"
      "Timestamps must increase; size and layout must stay those of the first." },
    { "close", (PyCFunction)encoder_close, METH_NOARGS,
      "close()\n--\n\nFlush, write the trailer and rename the file to its name. Idempotent." },
    { "abort", (PyCFunction)encoder_abort, METH_NOARGS,
      "abort()\n--\n\nGive up: delete the temporary file. Idempotent." },
    { "stats", (PyCFunction)encoder_stats, METH_NOARGS,
      "stats()\n--\n\nframes_in, packets_out, bytes_out, convert_seconds, encode_seconds." },
    { "__enter__", (PyCFunction)encoder_enter_ctx, METH_NOARGS, NULL },
    { "__exit__", (PyCFunction)encoder_exit_ctx, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

PyTypeObject kzvpy_EncoderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.VideoEncoder",
    .tp_basicsize = sizeof(kzvpy_Encoder),
    .tp_dealloc = (destructor)encoder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "VideoEncoder(path, *, codec='libx264', crf=None, qp=None, preset=None, options=None,\n"
              "             pix_fmt=None, width=None, height=None, matrix=None, range=None,\n"
              "             primaries=None, transfer=None, time_base=None, frame_rate=None,\n"
              "             container=None, threads=None, color=None)\n--\n\n"
              "Encode frames into a finished file (kzv_encoder): written under a temporary\n"
              "name and renamed by close(); a with-block that raises, abort(), or an encoder\n"
              "that is never closed leaves nothing. Each frame's pts is written as it is.\n"
              "options: a dict or 'key=value' strings for the encoder (unknown ones are\n"
              "refused). pix_fmt: the output layout ('yuv420p', 'yuv420p10', 'yuv444p' …).\n"
              "color: a kzv.Color (decoder.color) for the tags and for arrays' pixels.",
    .tp_methods = encoder_methods,
    .tp_getset = encoder_getset,
    .tp_init = (initproc)encoder_init,
    .tp_new = PyType_GenericNew,
};
