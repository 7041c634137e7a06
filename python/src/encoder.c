/*
 * kzv.VideoEncoder and kzv.transcode(): the way back (include/kzv/encoder.h,
 * include/kzv/transcode.h).
 *
 *   with kzv.VideoEncoder("out.mkv", codec="libx264", crf=18) as enc:
 *       enc.write(frame)                     # a VideoFrame: its own pts
 *       enc.write(array, pts=1001)           # (H, W, 3|4) uint8 or (H, W, 3) uint16
 *   kzv.transcode("in.mkv", "out.mkv", lambda f: upscale(f.data))
 *
 * Arrays whose pixels are contiguous (any row stride) are handed to the
 * encoder without a copy (kzv_frame_wrap); others are copied once. Every
 * encoder call runs with the GIL released.
 */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "kzvpy.h"

typedef struct kzvpy_Encoder {
    PyObject_HEAD
    kzv_encoder *e;
    kzvpy_turns turns;      /* one call at a time: a kzv_encoder is single-threaded, and
                               close() from one thread must not free it under another's write() */
    kzv_rational tb;        /* for arrays: the encoder's time_base, else 1/1000 */
    int64_t frames_done;    /* the frame count when it was closed or aborted */
} kzvpy_Encoder;

static void release_array(void *o)
{
    PyGILState_STATE g = PyGILState_Ensure();
    Py_DECREF((PyObject *)o);
    PyGILState_Release(g);
}

/* An (H, W, C) array as a kzv_frame over its memory (new reference). */
static int frame_from_array(PyObject *obj, kzv_frame **out)
{
    *out = NULL;
    PyArrayObject *arr = (PyArrayObject *)PyArray_FROM_OF(obj, NPY_ARRAY_ALIGNED);
    if (!arr)
        return -1;
    int t = PyArray_TYPE(arr);
    npy_intp c = PyArray_NDIM(arr) == 3 ? PyArray_DIM(arr, 2) : 0;
    kzv_pixfmt fmt = t == NPY_UINT8 && c == 3 ? KZV_PIXFMT_RGB24 : t == NPY_UINT8 && c == 4 ? KZV_PIXFMT_RGBA
                   : t == NPY_UINT16 && c == 3 ? KZV_PIXFMT_RGB48 : KZV_PIXFMT_NONE;
    if (fmt == KZV_PIXFMT_NONE || PyArray_DIM(arr, 0) < 1 || PyArray_DIM(arr, 1) < 1 ||
        PyArray_DIM(arr, 0) > 32768 || PyArray_DIM(arr, 1) > 32768) {
        Py_DECREF(arr);
        PyErr_SetString(PyExc_ValueError, "frames must be (H, W, 3) uint8 (rgb24), (H, W, 4) uint8 (rgba) or "
                        "(H, W, 3) uint16 (rgb48) arrays");
        return -1;
    }
    npy_intp isz = PyArray_ITEMSIZE(arr);
    if (PyArray_STRIDE(arr, 2) != isz || PyArray_STRIDE(arr, 1) != isz * c || PyArray_STRIDE(arr, 0) <= 0 ||
        PyArray_STRIDE(arr, 0) > INT32_MAX) {
        PyArrayObject *copy = (PyArrayObject *)PyArray_FROM_OF((PyObject *)arr, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED);
        Py_DECREF(arr);
        if (!copy)
            return -1;
        arr = copy;
    }
    kzv_frame desc;
    memset(&desc, 0, sizeof(desc));
    desc.data[0] = (uint8_t *)PyArray_BYTES(arr);
    desc.stride[0] = (int)PyArray_STRIDE(arr, 0);
    desc.width = (int)PyArray_DIM(arr, 1);
    desc.height = (int)PyArray_DIM(arr, 0);
    desc.format = fmt;
    desc.pts_ts = INT64_MIN;
    int err = kzv_frame_wrap(out, &desc, release_array, arr);
    if (err < 0) {
        Py_DECREF(arr);
        kzvpy_raise(err, "cannot wrap the array", NULL);
        return -1;
    }
    return 0;
}

static void unref_frame(void *o)
{
    kzv_frame *f = o;
    kzv_frame_unref(&f);
}

/* `f` with another timestamp (a new reference over the same pixels). */
static int retime(kzv_frame *f, int64_t pts_ts, kzv_rational tb, kzv_frame **out)
{
    kzv_frame desc = *f;
    desc.pts_ts = pts_ts;
    desc.time_base = tb;
    desc.pts = (double)pts_ts * tb.num / tb.den;
    int err = kzv_frame_wrap(out, &desc, unref_frame, kzv_frame_ref(f));
    if (err < 0) {
        kzv_frame_unref(&f);
        kzvpy_raise(err, "cannot wrap the frame", NULL);
        return -1;
    }
    return 0;
}

static int rational_from(PyObject *o, kzv_rational *r, const char *what)
{
    if (o == Py_None)
        return 0;
    PyObject *num = PyObject_GetAttrString(o, "numerator");
    PyObject *den = num ? PyObject_GetAttrString(o, "denominator") : NULL;
    if (!den && PyTuple_Check(o) && PyTuple_GET_SIZE(o) == 2) {
        PyErr_Clear();
        Py_XDECREF(num);
        num = Py_NewRef(PyTuple_GET_ITEM(o, 0));
        den = Py_NewRef(PyTuple_GET_ITEM(o, 1));
    }
    long n = num ? PyLong_AsLong(num) : -1, d = den ? PyLong_AsLong(den) : -1;
    Py_XDECREF(num);
    Py_XDECREF(den);
    if (PyErr_Occurred() || n <= 0 || d <= 0 || n > INT32_MAX || d > INT32_MAX) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s must be a positive Fraction or (num, den)", what);
        return -1;
    }
    *r = (kzv_rational){ (int)n, (int)d };
    return 0;
}

/* Encoder keywords shared by VideoEncoder() and transcode(). `keep` holds
 * the Python strings (and the option list) until the call is over. */
typedef struct enc_kw {
    PyObject *codec, *crf, *qp, *preset, *options, *format, *time_base, *frame_rate, *container;
    int width, height, matrix, range, primaries, transfer, threads;
} enc_kw;

typedef struct enc_strings {
    PyObject *bytes[80];
    int n;
    const char *opts[65];
} enc_strings;

static const char *utf8(enc_strings *st, PyObject *o)
{
    if (o == Py_None || st->n == 80)
        return NULL;
    PyObject *b = PyUnicode_AsUTF8String(o);
    if (!b)
        return NULL;
    st->bytes[st->n++] = b;
    return PyBytes_AS_STRING(b);
}

static void strings_free(enc_strings *st)
{
    for (int i = 0; i < st->n; i++)
        Py_DECREF(st->bytes[i]);
    st->n = 0;
}

static int fill_settings(const enc_kw *k, kzv_encoder_settings *s, enc_strings *st)
{
#define STR(field, obj) do { if ((obj) != Py_None) { if (!PyUnicode_Check(obj)) { \
        PyErr_SetString(PyExc_TypeError, #field " must be a str"); return -1; } \
        if (!(s->field = utf8(st, (obj)))) return -1; } } while (0)
    STR(codec, k->codec);
    STR(preset, k->preset);
    STR(container, k->container);
#undef STR
    if (k->crf != Py_None && (s->crf = PyFloat_AsDouble(k->crf)) < 0 && PyErr_Occurred())
        return -1;
    if (k->qp != Py_None && (s->qp = (int)PyLong_AsLong(k->qp)) == -1 && PyErr_Occurred())
        return -1;
    if (k->format != Py_None) {
        kzv_pixfmt f;
        if (kzvpy_pixfmt_from_object(k->format, &f) < 0)
            return -1;
        s->format = f;
    }
    if (k->options != Py_None) {
        PyObject *items = PyDict_Check(k->options) ? PyDict_Items(k->options) : PySequence_List(k->options);
        if (!items)
            return -1;
        Py_ssize_t n = PyList_GET_SIZE(items);
        if (n > 64) {
            Py_DECREF(items);
            PyErr_SetString(PyExc_ValueError, "at most 64 encoder options");
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *it = PyList_GET_ITEM(items, i);
            PyObject *str = PyTuple_Check(it) ? PyUnicode_FromFormat("%S=%S", PyTuple_GET_ITEM(it, 0),
                                                                     PyTuple_GET_ITEM(it, 1))
                                              : PyObject_Str(it);
            const char *c = str ? utf8(st, str) : NULL;
            Py_XDECREF(str);
            if (!c) {
                Py_DECREF(items);
                return -1;
            }
            st->opts[i] = c;
        }
        st->opts[n] = NULL;
        s->options = st->opts;
        Py_DECREF(items);
    }
    if (rational_from(k->time_base, &s->time_base, "time_base") < 0 ||
        rational_from(k->frame_rate, &s->frame_rate, "frame_rate") < 0)
        return -1;
    s->width = k->width;
    s->height = k->height;
    s->matrix = k->matrix;
    s->range = k->range;
    s->primaries = k->primaries;
    s->transfer = k->transfer;
    s->threads = k->threads;
    return 0;
}

#define ENC_KWLIST "codec", "crf", "qp", "preset", "options", "format", "width", "height", "matrix", \
    "range", "primaries", "transfer", "time_base", "frame_rate", "container", "threads"
#define ENC_KWFMT "OOOOOOiiiiiiOOOi"
#define ENC_KWARGS(k) &(k).codec, &(k).crf, &(k).qp, &(k).preset, &(k).options, &(k).format, &(k).width, \
    &(k).height, &(k).matrix, &(k).range, &(k).primaries, &(k).transfer, &(k).time_base, &(k).frame_rate, \
    &(k).container, &(k).threads
#define ENC_KW_DEFAULTS { Py_None, Py_None, Py_None, Py_None, Py_None, Py_None, Py_None, Py_None, Py_None, \
    0, 0, -1, -1, -1, -1, 0 }

/* ---- VideoEncoder ------------------------------------------------------- */

static int64_t frames_in(const kzv_encoder *e)
{
    kzv_encoder_stats st;
    kzv_encoder_get_stats(e, &st);
    return st.frames_in;
}

static PyObject *encoder_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "path", ENC_KWLIST, NULL };
    PyObject *path;
    enc_kw k = ENC_KW_DEFAULTS;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|$" ENC_KWFMT ":VideoEncoder", kwlist,
                                     PyUnicode_FSConverter, &path, ENC_KWARGS(k)))
        return NULL;
    kzv_encoder_settings s;
    kzv_encoder_default_settings(&s);
    enc_strings st = { .n = 0 };
    kzvpy_Encoder *self = NULL;
    if (fill_settings(&k, &s, &st) < 0)
        goto done;
    self = (kzvpy_Encoder *)type->tp_alloc(type, 0);
    if (!self)
        goto done;
    if (kzvpy_turns_init(&self->turns) < 0) {
        PyErr_NoMemory();
        Py_CLEAR(self);
        goto done;
    }
    self->tb = s.time_base.num > 0 ? s.time_base : (kzv_rational){ 1, 1000 };
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_encoder_open(&self->e, PyBytes_AS_STRING(path), &s);
    Py_END_ALLOW_THREADS
    if (err < 0) {
        kzvpy_raise(err, kzv_encoder_last_error(NULL), NULL);
        Py_CLEAR(self);
    }
done:
    strings_free(&st);
    Py_DECREF(path);
    return (PyObject *)self;
}

static void encoder_dealloc(kzvpy_Encoder *self)
{
    kzv_encoder_abort(&self->e);    /* never closed: nothing is left behind */
    if (self->turns.ready)
        kzvpy_turns_destroy(&self->turns);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *encoder_write(kzvpy_Encoder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "frame", "pts", NULL };
    PyObject *obj, *pts = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:write", kwlist, &obj, &pts))
        return NULL;
    if (!self->e)
        return kzvpy_raise_closed("VideoEncoder");
    kzv_frame *f = NULL;
    kzv_rational tb = self->tb;
    if (PyObject_TypeCheck(obj, &kzvpy_FrameType)) {
        f = kzv_frame_ref(kzvpy_frame_get(obj));
        if (f->time_base.num > 0)
            tb = f->time_base;
    } else if (frame_from_array(obj, &f) < 0) {
        return NULL;
    }
    if (pts != Py_None) {
        int64_t ts;
        if (PyFloat_Check(pts))
            ts = llrint(PyFloat_AsDouble(pts) * tb.den / tb.num);
        else if ((ts = PyLong_AsLongLong(pts)) == -1 && PyErr_Occurred()) {
            kzv_frame_unref(&f);
            return NULL;
        }
        kzv_frame *g = NULL;
        int r = retime(f, ts, tb, &g);
        kzv_frame_unref(&f);
        if (r < 0)
            return NULL;
        f = g;
    } else if (f->pts_ts == INT64_MIN) {
        kzv_frame_unref(&f);
        PyErr_SetString(PyExc_ValueError, "write(array): pts is required (an int in time_base units, "
                        "or seconds as a float)");
        return NULL;
    }
    int err = KZV_ECLOSED;
    char msg[1024] = "VideoEncoder is closed";
    kzvpy_turns_take(&self->turns);
    if (self->e) {                 /* closed by another thread meanwhile? */
        Py_BEGIN_ALLOW_THREADS
        err = kzv_encoder_write(self->e, f);
        if (err < 0)
            snprintf(msg, sizeof(msg), "%s", kzv_encoder_last_error(self->e));
        Py_END_ALLOW_THREADS
    }
    kzvpy_turns_give(&self->turns);
    kzv_frame_unref(&f);
    if (err < 0)
        return kzvpy_raise(err, msg, NULL);
    Py_RETURN_NONE;
}

static PyObject *encoder_close(kzvpy_Encoder *self, PyObject *unused)
{
    (void)unused;
    int err = KZV_OK;
    char msg[1024] = "";
    kzvpy_turns_take(&self->turns);
    kzv_encoder *e = self->e;   /* self->e changes only with the GIL held, so `closed` reads it safely */
    if (e) {
        self->frames_done = frames_in(e);
        Py_BEGIN_ALLOW_THREADS
        err = kzv_encoder_close(&e);
        if (err < 0)
            snprintf(msg, sizeof(msg), "%s", kzv_encoder_last_error(NULL));
        Py_END_ALLOW_THREADS
        self->e = NULL;
    }
    kzvpy_turns_give(&self->turns);
    if (err < 0)
        return kzvpy_raise(err, msg, NULL);
    Py_RETURN_NONE;
}

static PyObject *encoder_abort(kzvpy_Encoder *self, PyObject *unused)
{
    (void)unused;
    kzvpy_turns_take(&self->turns);
    if (self->e)
        self->frames_done = frames_in(self->e);
    kzv_encoder_abort(&self->e);
    kzvpy_turns_give(&self->turns);
    Py_RETURN_NONE;
}

static PyObject *encoder_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(self);
}

static PyObject *encoder_exit(kzvpy_Encoder *self, PyObject *args)
{
    PyObject *et = PyTuple_GET_SIZE(args) > 0 ? PyTuple_GET_ITEM(args, 0) : Py_None;
    if (et != Py_None) {
        PyObject *r = encoder_abort(self, NULL);
        Py_XDECREF(r);
        Py_RETURN_FALSE;
    }
    PyObject *r = encoder_close(self, NULL);
    if (!r)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

static PyObject *encoder_get_closed(kzvpy_Encoder *self, void *c)
{
    (void)c;
    return PyBool_FromLong(self->e == NULL);
}

static PyObject *encoder_get_frames(kzvpy_Encoder *self, void *c)
{
    (void)c;
    kzvpy_turns_take(&self->turns);
    int64_t n = self->e ? frames_in(self->e) : self->frames_done;
    kzvpy_turns_give(&self->turns);
    return PyLong_FromLongLong(n);
}

static PyMethodDef encoder_methods[] = {
    { "write", KZVPY_KW(encoder_write), METH_VARARGS | METH_KEYWORDS,
      "write(frame, pts=None)\n--\n\nEncode a VideoFrame (its own pts unless pts is given) or an (H, W, 3|4) "
      "uint8 / (H, W, 3) uint16 array (pts required: an int in time_base units, or seconds as a float)." },
    { "close", (PyCFunction)encoder_close, METH_NOARGS,
      "close()\n--\n\nFlush, write the trailer and give the file its final name." },
    { "abort", (PyCFunction)encoder_abort, METH_NOARGS,
      "abort()\n--\n\nGive up: the partial file is deleted." },
    { "__enter__", encoder_enter, METH_NOARGS, NULL },
    { "__exit__", (PyCFunction)encoder_exit, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef encoder_getset[] = {
    { "closed", (getter)encoder_get_closed, NULL, "True after close() or abort().", NULL },
    { "frames", (getter)encoder_get_frames, NULL, "Frames written so far.", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject kzvpy_EncoderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.VideoEncoder",
    .tp_basicsize = sizeof(kzvpy_Encoder),
    .tp_dealloc = (destructor)encoder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "VideoEncoder(path, *, codec='libx264', crf=None, qp=None, preset=None, options=None, format=None, "
              "width=0, height=0, matrix=-1, range=-1, primaries=-1, transfer=-1, time_base=None, "
              "frame_rate=None, container=None, threads=0)\n--\n\n"
              "Frames to a finished file (include/kzv/encoder.h). The file appears under its name only when "
              "close() succeeds; abort(), an exception in a `with` block or losing the object delete it.",
    .tp_methods = encoder_methods,
    .tp_getset = encoder_getset,
    .tp_new = encoder_new,
};

/* ---- transcode() -------------------------------------------------------- */

typedef struct tc_user {
    PyObject *fn;
    PyObject *exc;          /* the callback's exception, re-raised afterwards */
} tc_user;

static int tc_process(void *user, const kzv_frame *in, kzv_frame **out)
{
    tc_user *u = user;
    PyGILState_STATE g = PyGILState_Ensure();
    int ret = KZV_OK;
    PyObject *frame = kzvpy_frame_new(kzv_frame_ref((kzv_frame *)in));
    PyObject *res = frame ? PyObject_CallOneArg(u->fn, frame) : NULL;
    Py_XDECREF(frame);
    if (res && PyObject_TypeCheck(res, &kzvpy_FrameType))
        *out = kzv_frame_ref(kzvpy_frame_get(res));
    else if (res && frame_from_array(res, out) < 0)
        ret = KZV_EINVAL;
    if (!res)
        ret = KZV_ECANCELED;
    Py_XDECREF(res);
    if (ret < 0 && !u->exc)
        u->exc = kzvpy_fetch_exception();
    PyGILState_Release(g);
    return ret;
}

/* Ctrl-C: the interrupt guard (interrupt.c) sets the flag, and the
 * transcode's progress callback, called at least every 250 ms from its
 * encode thread, answers with it: the transcode stops with KZV_ECANCELED and
 * leaves no output. (With fn, Python's own handler also raises inside fn.) */
static void tc_cancel(void *flag)
{
    atomic_store((atomic_bool *)flag, true);
}

static int tc_progress(void *flag, const kzv_transcode_progress *p)
{
    (void)p;
    return atomic_load((atomic_bool *)flag);
}

PyObject *kzvpy_transcode(PyObject *mod, PyObject *args, PyObject *kwargs)
{
    (void)mod;
    static char *kwlist[] = { "src", "dst", "fn", "scale", "process_format", "start_frame", "start", "frames",
                              "drop_audio", "drop_subtitles", "languages", ENC_KWLIST, NULL };
    PyObject *src, *dst, *fn = Py_None, *pfmt = Py_None, *langs = Py_None;
    int scale = 0, drop_audio = 0, drop_subs = 0;
    long long start_frame = 0, frames = 0;
    double start = 0;
    enc_kw k = ENC_KW_DEFAULTS;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&|O$iOLdLppO" ENC_KWFMT ":transcode", kwlist,
                                     PyUnicode_FSConverter, &src, PyUnicode_FSConverter, &dst, &fn, &scale, &pfmt,
                                     &start_frame, &start, &frames, &drop_audio, &drop_subs, &langs, ENC_KWARGS(k)))
        return NULL;
    PyObject *ret = NULL;
    kzv_transcode_settings s;
    kzv_transcode_default_settings(&s);
    enc_strings st = { .n = 0 };
    tc_user u = { .fn = fn, .exc = NULL };
    if (fill_settings(&k, &s.encoder, &st) < 0)
        goto done;
    if (fn != Py_None) {
        if (!PyCallable_Check(fn)) {
            PyErr_SetString(PyExc_TypeError, "fn must be callable");
            goto done;
        }
        s.process = tc_process;
        s.process_user = &u;
    }
    if (pfmt != Py_None) {
        kzv_pixfmt f;
        if (kzvpy_pixfmt_from_object(pfmt, &f) < 0)
            goto done;
        s.process_format = f;
    }
    if (langs != Py_None && !(s.languages = utf8(&st, langs)))
        goto done;
    s.scale = scale;
    s.start_frame = start_frame;
    s.start = start;
    s.frames = frames;
    s.drop_audio = drop_audio;
    s.drop_subtitles = drop_subs;
    kzv_transcode_progress fin;
    int err;
    atomic_bool stop = false;
    s.progress = tc_progress;
    s.progress_user = &stop;
    kzvpy_guard guard;
    kzvpy_guard_begin(&guard, tc_cancel, &stop);
    Py_BEGIN_ALLOW_THREADS
    err = kzv_transcode(PyBytes_AS_STRING(src), PyBytes_AS_STRING(dst), &s, &fin);
    Py_END_ALLOW_THREADS
    if (kzvpy_guard_end(&guard) && !u.exc && PyErr_CheckSignals() < 0)
        goto done;                  /* KeyboardInterrupt; the partial output is gone */
    if (u.exc) {
        kzvpy_restore_exception(u.exc);
        u.exc = NULL;
        goto done;
    }
    if (err < 0) {
        kzvpy_raise(err, kzv_transcode_last_error(), NULL);
        goto done;
    }
    ret = PyLong_FromLongLong(fin.frames);
done:
    Py_XDECREF(u.exc);
    strings_free(&st);
    Py_DECREF(src);
    Py_DECREF(dst);
    return ret;
}
