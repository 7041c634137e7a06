/*
 * kzv.VideoDecoder: a kzv_decoder with the seed's Python face (iteration,
 * context manager, width/height/fps/codec, seek) and TorchCodec's random
 * access (len, indexing, slices, batches; batch.c stacks them).
 *
 * Sources: a path (str, bytes path via os.PathLike), a bytes-like object
 * (bytes, bytearray, memoryview, mmap, numpy array: decoded in place through
 * kzv_decoder_open_memory(), the buffer held until close), or a file-like
 * object with read(), which is read whole into memory once (kzv's public API
 * reads memory or paths, not Python streams).
 *
 * Thread-safety: a kzv_decoder is single-threaded; the object's lock makes
 * calls from several Python threads take turns (a second caller waits with
 * the GIL released). close() from another thread interrupts a call in
 * progress (kzv_decoder_interrupt) instead of waiting behind a stalled read.
 */
#include <math.h>
#include <string.h>

#include "kzvpy.h"

int kzvpy_decoder_enter(kzvpy_Decoder *self)
{
    if (!self->turns.ready || !self->d) {
        kzvpy_raise_closed("the decoder");
        return -1;
    }
    kzvpy_turns_take(&self->turns);
    if (!self->d) {             /* closed while we waited */
        kzvpy_turns_give(&self->turns);
        kzvpy_raise_closed("the decoder");
        return -1;
    }
    return 0;
}

void kzvpy_decoder_leave(kzvpy_Decoder *self)
{
    kzvpy_turns_give(&self->turns);
}

PyObject *kzvpy_decoder_raise(kzvpy_Decoder *self, int code)
{
    return kzvpy_raise(code, kzv_decoder_last_error(self->d), self->source);
}

/* ---- open / close ---------------------------------------------------------- */

static void release_source(kzvpy_Decoder *self)
{
    if (self->has_mem) {
        PyBuffer_Release(&self->mem);
        self->has_mem = false;
    }
    Py_CLEAR(self->source);
}

static void close_decoder(kzvpy_Decoder *self)
{
    kzv_decoder *d = self->d;
    self->d = NULL;
    if (d) {
        Py_BEGIN_ALLOW_THREADS
        kzv_decoder_close(&d);
        Py_END_ALLOW_THREADS
    }
    release_source(self);
}

/* Open from a path, returning the status; *msg receives the reason. */
static int open_path(kzvpy_Decoder *self, PyObject *path, const kzv_decoder_settings *s,
                     char *msg, size_t msg_size)
{
    PyObject *bytes = NULL;
    if (!PyUnicode_FSConverter(path, &bytes))
        return INT32_MIN;
    const char *p = PyBytes_AS_STRING(bytes);
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_decoder_open(&self->d, p, s);
    if (err < 0)
        snprintf(msg, msg_size, "%s", kzv_decoder_last_error(NULL));
    Py_END_ALLOW_THREADS
    Py_DECREF(bytes);
    return err;
}

/* Open from memory the decoder reads in place (self->mem, held until close). */
static int open_memory(kzvpy_Decoder *self, const char *name, const kzv_decoder_settings *s,
                       char *msg, size_t msg_size)
{
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_decoder_open_memory(&self->d, self->mem.buf, (size_t)self->mem.len, name, s);
    if (err < 0)
        snprintf(msg, msg_size, "%s", kzv_decoder_last_error(NULL));
    Py_END_ALLOW_THREADS
    return err;
}

/* VideoDecoder(..., index=bytes): a stale or damaged index is not an error
 * (the file is scanned again, as without it) but is worth a warning. */
static int use_saved_index(kzvpy_Decoder *self, PyObject *index)
{
    kzvpy_turns_take(&self->turns);
    int err = kzvpy_decoder_import(self, index);
    kzvpy_turns_give(&self->turns);
    if (err == INT32_MIN || err == KZVPY_SIGNALED) {
        close_decoder(self);
        return -1;
    }
    if (err < 0 && PyErr_WarnFormat(PyExc_RuntimeWarning, 1, "kzv: saved index not used, the file will be "
                                    "scanned again: %s", kzv_decoder_last_error(self->d)) < 0) {
        close_decoder(self);
        return -1;
    }
    return 0;
}

static int decoder_init(kzvpy_Decoder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "source", "name", "index", NULL };
    PyObject *kw = kwargs ? PyDict_Copy(kwargs) : PyDict_New();
    if (!kw)
        return -1;
    kzvpy_decoder_opts o;
    PyObject *source = NULL, *name = Py_None, *index = Py_None, *data = NULL, *file_name = NULL;
    if (kzvpy_decoder_opts_take(&o, kw) < 0 ||
        !PyArg_ParseTupleAndKeywords(args, kw, "O|$OO:VideoDecoder", kwlist, &source, &name, &index)) {
        Py_DECREF(kw);
        return -1;
    }
    Py_DECREF(kw);
    if (name != Py_None && !PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "name must be a str");
        return -1;
    }
    if (self->d)              /* __init__ called again: start over */
        close_decoder(self);
    release_source(self);
    if (kzvpy_turns_init(&self->turns) < 0) {
        PyErr_NoMemory();
        return -1;
    }

    char msg[1024] = "";
    int err;
    if (PyUnicode_Check(source) || PyObject_HasAttrString(source, "__fspath__")) {
        PyObject *path = PyOS_FSPath(source);
        if (!path)
            return -1;
        self->source = path;
        err = open_path(self, path, &o.s, msg, sizeof(msg));
    } else {
        /* Bytes-like: decoded in place. File-like: read whole, then the same. */
        if (!PyObject_CheckBuffer(source)) {
            if (!PyObject_HasAttrString(source, "read")) {
                PyErr_Format(PyExc_TypeError, "VideoDecoder(source): a path, a bytes-like object or a "
                             "file-like object with read() is needed, not %.100s", Py_TYPE(source)->tp_name);
                return -1;
            }
            if (name == Py_None) {
                PyObject *n = PyObject_GetAttrString(source, "name");
                if (n && PyUnicode_Check(n))
                    file_name = n;
                else
                    Py_XDECREF(n);
                PyErr_Clear();
            }
            data = PyObject_CallMethod(source, "read", NULL);
            if (!data) {
                Py_XDECREF(file_name);
                return -1;
            }
            if (!PyObject_CheckBuffer(data)) {
                PyErr_Format(PyExc_TypeError, "read() returned %.100s, not bytes", Py_TYPE(data)->tp_name);
                Py_DECREF(data);
                Py_XDECREF(file_name);
                return -1;
            }
            source = data;
        }
        int got = PyObject_GetBuffer(source, &self->mem, PyBUF_SIMPLE);
        Py_XDECREF(data);     /* the buffer view holds its own reference */
        if (got < 0) {
            Py_XDECREF(file_name);
            return -1;
        }
        self->has_mem = true;
        self->source = file_name ? file_name : Py_NewRef(name);
        const char *cname = self->source != Py_None ? PyUnicode_AsUTF8(self->source) : "memory";
        if (!cname)
            return -1;
        err = open_memory(self, cname, &o.s, msg, sizeof(msg));
    }
    if (err == INT32_MIN)
        return -1;
    if (err < 0) {
        kzvpy_raise(err, msg, self->source);
        release_source(self);
        return -1;
    }
    return index == Py_None ? 0 : use_saved_index(self, index);
}

static PyObject *decoder_close(kzvpy_Decoder *self, PyObject *unused)
{
    (void)unused;
    if (!self->d)
        Py_RETURN_NONE;
    if (!kzvpy_turns_try(&self->turns)) {
        /* Another thread is in a call: make it return (a stalled read would
         * otherwise keep us waiting forever), then take our turn. */
        kzv_decoder_interrupt(self->d);
        kzvpy_turns_take(&self->turns);
    }
    close_decoder(self);
    kzvpy_turns_give(&self->turns);
    Py_RETURN_NONE;
}

static PyObject *decoder_interrupt(kzvpy_Decoder *self, PyObject *unused)
{
    (void)unused;
    if (self->d)
        kzv_decoder_interrupt(self->d);
    Py_RETURN_NONE;
}

static void decoder_dealloc(kzvpy_Decoder *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    close_decoder(self);
    kzvpy_turns_destroy(&self->turns);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *decoder_enter_ctx(kzvpy_Decoder *self, PyObject *unused)
{
    (void)unused;
    if (!self->d)
        return kzvpy_raise_closed("the decoder");
    return Py_NewRef((PyObject *)self);
}

static PyObject *decoder_exit_ctx(kzvpy_Decoder *self, PyObject *args)
{
    (void)args;
    return decoder_close(self, NULL);
}

/* ---- sequential decoding ---------------------------------------------------- */

/* Next frame: a VideoFrame, NULL without exception at the end, or NULL with one. */
static PyObject *next_frame(kzvpy_Decoder *self)
{
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    kzv_frame *f = NULL;
    int err;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_next(self->d, &f));
    PyObject *res = NULL;
    if (err == KZV_OK)
        res = kzvpy_frame_new(f);
    else if (err != KZV_EOF && err != KZVPY_SIGNALED)
        kzvpy_decoder_raise(self, err);
    kzvpy_decoder_leave(self);
    return res;
}

static PyObject *decoder_iternext(kzvpy_Decoder *self)
{
    return next_frame(self);
}

static PyObject *decoder_read(kzvpy_Decoder *self, PyObject *unused)
{
    (void)unused;
    PyObject *f = next_frame(self);
    if (!f && !PyErr_Occurred())
        Py_RETURN_NONE;
    return f;
}

static PyObject *decoder_iter(kzvpy_Decoder *self)
{
    if (!self->d)
        return kzvpy_raise_closed("the decoder");
    return Py_NewRef((PyObject *)self);
}

/* ---- counting and seeking ---------------------------------------------------- */

int64_t kzvpy_decoder_count(kzvpy_Decoder *self)
{
    const kzv_index_entry *e;
    int64_t n = 0;
    int err;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_get_index(self->d, &e, &n));
    if (err == KZVPY_SIGNALED)
        return -1;
    if (err < 0) {
        kzvpy_decoder_raise(self, err);
        return -1;
    }
    return n;
}

static PyObject *decoder_seek(kzvpy_Decoder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "seconds", "mode", NULL };
    double t;
    const char *mode = "exact";
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "d|s:seek", kwlist, &t, &mode))
        return NULL;
    kzv_seek_mode m;
    if (!strcmp(mode, "exact"))
        m = KZV_SEEK_EXACT;
    else if (!strcmp(mode, "keyframe"))
        m = KZV_SEEK_KEYFRAME;
    else {
        PyErr_Format(PyExc_ValueError, "seek mode must be 'exact' or 'keyframe', not '%s'", mode);
        return NULL;
    }
    if (isnan(t)) {
        PyErr_SetString(PyExc_ValueError, "seek: time is NaN");
        return NULL;
    }
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    int err;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_seek(self->d, t, m));
    PyObject *res = Py_None;
    if (err == KZVPY_SIGNALED)
        res = NULL;
    else if (err < 0 && err != KZV_EOF)       /* past the end: iteration yields nothing */
        res = kzvpy_decoder_raise(self, err);
    kzvpy_decoder_leave(self);
    return Py_XNewRef(res);
}

static PyObject *decoder_seek_frame(kzvpy_Decoder *self, PyObject *arg)
{
    long long n = PyLong_AsLongLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    PyObject *res = NULL;
    if (n < 0) {
        int64_t count = kzvpy_decoder_count(self);
        if (count < 0)
            goto out;
        n += count;
        if (n < 0) {
            PyErr_SetString(PyExc_IndexError, "seek_frame: frame index out of range");
            goto out;
        }
    }
    int err;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_seek_frame(self->d, n));
    if (err == KZVPY_SIGNALED)
        goto out;
    if (err < 0 && err != KZV_EOF)
        kzvpy_decoder_raise(self, err);
    else
        res = Py_NewRef(Py_None);
out:
    kzvpy_decoder_leave(self);
    return res;
}

static Py_ssize_t decoder_len(kzvpy_Decoder *self)
{
    if (kzvpy_decoder_enter(self) < 0)
        return -1;
    int64_t n = kzvpy_decoder_count(self);
    kzvpy_decoder_leave(self);
    return (Py_ssize_t)n;
}

/* ---- random access and batches ------------------------------------------------- */

/* Normalize `idx` (negative from the end) against `count`; IndexError if out. */
static int norm_index(int64_t *idx, int64_t count)
{
    int64_t i = *idx < 0 ? *idx + count : *idx;
    if (i < 0 || i >= count) {
        PyErr_Format(PyExc_IndexError, "frame index %lld out of range (%lld frames)",
                     (long long)*idx, (long long)count);
        return -1;
    }
    *idx = i;
    return 0;
}

/* A batch of `indices` (any int sequence/array; negative from the end). */
static PyObject *batch_of_indices(kzvpy_Decoder *self, PyObject *indices)
{
    /* Integers only: numpy would turn [0.5] into [0] if asked for int64 directly. */
    PyArrayObject *any = (PyArrayObject *)PyArray_FROM_O(indices);
    if (!any)
        return NULL;
    if (PyArray_NDIM(any) != 1 || (PyArray_SIZE(any) > 0 && !PyArray_ISINTEGER(any))) {
        PyErr_Format(PyExc_TypeError, "indices must be a 1-D sequence of integers (got %s of %s)",
                     PyArray_NDIM(any) == 1 ? "an array" : "a non 1-D array",
                     PyArray_DESCR(any)->typeobj->tp_name);
        Py_DECREF(any);
        return NULL;
    }
    PyArray_Descr *i64 = PyArray_DescrFromType(NPY_INT64);
    PyArrayObject *a = (PyArrayObject *)PyArray_FromArray(any, i64, NPY_ARRAY_CARRAY | NPY_ARRAY_ENSURECOPY |
                                                          NPY_ARRAY_FORCECAST);
    Py_DECREF(any);
    if (!a)
        return NULL;
    if (kzvpy_decoder_enter(self) < 0) {
        Py_DECREF(a);
        return NULL;
    }
    PyObject *res = NULL;
    npy_intp n = PyArray_DIM(a, 0);
    int64_t *v = (int64_t *)PyArray_DATA(a);
    int64_t count = n ? kzvpy_decoder_count(self) : 0;
    if (count >= 0) {
        npy_intp i = 0;
        while (i < n && norm_index(&v[i], count) == 0)
            i++;
        if (i == n)
            res = kzvpy_batch_decode(self, v, (size_t)n);
    }
    kzvpy_decoder_leave(self);
    Py_DECREF(a);
    return res;
}

static PyObject *batch_of_times(kzvpy_Decoder *self, PyObject *seconds)
{
    PyArray_Descr *f64 = PyArray_DescrFromType(NPY_DOUBLE);
    PyArrayObject *a = (PyArrayObject *)PyArray_FromAny(seconds, f64, 1, 1, NPY_ARRAY_CARRAY, NULL);
    if (!a)
        return NULL;
    npy_intp n = PyArray_DIM(a, 0);
    const double *t = (const double *)PyArray_DATA(a);
    int64_t *idx = PyMem_Malloc(sizeof(*idx) * (size_t)(n ? n : 1));
    if (!idx) {
        Py_DECREF(a);
        return PyErr_NoMemory();
    }
    if (kzvpy_decoder_enter(self) < 0) {
        PyMem_Free(idx);
        Py_DECREF(a);
        return NULL;
    }
    PyObject *res = NULL;
    npy_intp i = 0;
    for (; i < n; i++) {
        if (isnan(t[i])) {
            PyErr_SetString(PyExc_ValueError, "a time is NaN");
            break;
        }
        int err;
        KZVPY_DECODER_CALL(self->d, err, kzv_decoder_frame_at(self->d, t[i], &idx[i]));
        if (err == KZVPY_SIGNALED)
            break;
        if (err == KZV_EOF) {
            char ts[64];
            PyOS_snprintf(ts, sizeof(ts), "%.6f", t[i]);
            PyErr_Format(PyExc_IndexError, "no frame is displayed at %s s: past the end", ts);
            break;
        }
        if (err < 0) {
            kzvpy_decoder_raise(self, err);
            break;
        }
    }
    if (i == n)
        res = kzvpy_batch_decode(self, idx, (size_t)n);
    kzvpy_decoder_leave(self);
    PyMem_Free(idx);
    Py_DECREF(a);
    return res;
}

/* Indices of range(start, stop, step) clamped like a slice; a new array. */
static PyObject *range_indices(kzvpy_Decoder *self, PyObject *slice)
{
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    int64_t count = kzvpy_decoder_count(self);
    kzvpy_decoder_leave(self);
    if (count < 0)
        return NULL;
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(slice, &start, &stop, &step) < 0)
        return NULL;
    Py_ssize_t n = PySlice_AdjustIndices((Py_ssize_t)count, &start, &stop, step);
    npy_intp dims[1] = { n };
    PyObject *arr = PyArray_SimpleNew(1, dims, NPY_INT64);
    if (!arr)
        return NULL;
    int64_t *v = PyArray_DATA((PyArrayObject *)arr);
    for (Py_ssize_t i = 0; i < n; i++)
        v[i] = start + i * step;
    return arr;
}

static PyObject *batch_of_slice(kzvpy_Decoder *self, PyObject *slice)
{
    PyObject *idx = range_indices(self, slice);
    if (!idx)
        return NULL;
    PyObject *res = batch_of_indices(self, idx);
    Py_DECREF(idx);
    return res;
}

/* One frame by index: a batch of one, its frame taken back out. */
static PyObject *frame_at_index(kzvpy_Decoder *self, int64_t i)
{
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    PyObject *res = NULL;
    int64_t count = kzvpy_decoder_count(self);
    if (count >= 0 && norm_index(&i, count) == 0) {
        kzv_frame *f = NULL;
        int err;
        KZVPY_DECODER_CALL(self->d, err, kzv_decoder_get_frames(self->d, &i, 1, &f));
        if (err == KZVPY_SIGNALED)
            kzv_frame_unref(&f);
        else if (err < 0)
            kzvpy_decoder_raise(self, err);
        else
            res = kzvpy_frame_new(f);
    }
    kzvpy_decoder_leave(self);
    return res;
}

static PyObject *decoder_getitem(kzvpy_Decoder *self, PyObject *key)
{
    if (PySlice_Check(key))
        return batch_of_slice(self, key);
    if (!PyIndex_Check(key)) {
        PyErr_Format(PyExc_TypeError, "decoder indices must be integers or slices, not %.100s",
                     Py_TYPE(key)->tp_name);
        return NULL;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    return frame_at_index(self, i);
}

static PyObject *decoder_get_frame_at(kzvpy_Decoder *self, PyObject *arg)
{
    return decoder_getitem(self, arg);
}

static PyObject *decoder_frame_index_at(kzvpy_Decoder *self, PyObject *arg)
{
    double t = PyFloat_AsDouble(arg);
    if (t == -1.0 && PyErr_Occurred())
        return NULL;
    if (isnan(t)) {
        PyErr_SetString(PyExc_ValueError, "time is NaN");
        return NULL;
    }
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    int64_t idx = -1;
    int err;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_frame_at(self->d, t, &idx));
    PyObject *res = NULL;
    if (err == KZVPY_SIGNALED)
        ;
    else if (err == KZV_EOF)
        PyErr_Format(PyExc_IndexError, "no frame is displayed at %R s: past the end", arg);
    else if (err < 0)
        kzvpy_decoder_raise(self, err);
    else
        res = PyLong_FromLongLong(idx);
    kzvpy_decoder_leave(self);
    return res;
}

static PyObject *decoder_get_frame_played_at(kzvpy_Decoder *self, PyObject *arg)
{
    PyObject *i = decoder_frame_index_at(self, arg);
    if (!i)
        return NULL;
    long long n = PyLong_AsLongLong(i);
    Py_DECREF(i);
    return frame_at_index(self, n);
}

static PyObject *decoder_get_frames_at(kzvpy_Decoder *self, PyObject *arg)
{
    return batch_of_indices(self, arg);
}

static PyObject *decoder_get_frames_played_at(kzvpy_Decoder *self, PyObject *arg)
{
    return batch_of_times(self, arg);
}

static PyObject *decoder_get_frames_in_range(kzvpy_Decoder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "start", "stop", "step", NULL };
    PyObject *start, *stop = Py_None, *step = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO:get_frames_in_range", kwlist, &start, &stop, &step))
        return NULL;
    PyObject *slice = PySlice_New(start, stop, step);
    if (!slice)
        return NULL;
    PyObject *res = batch_of_slice(self, slice);
    Py_DECREF(slice);
    return res;
}

/* ---- stats, index ------------------------------------------------------------------ */

static PyObject *decoder_stats(kzvpy_Decoder *self, PyObject *unused)
{
    (void)unused;
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    kzv_decoder_stats st;
    kzv_decoder_get_stats(self->d, &st);
    kzvpy_decoder_leave(self);
    return Py_BuildValue("{s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:d,s:d,s:d}",
                         "packets_read", (long long)st.packets_read,
                         "frames_decoded", (long long)st.frames_decoded,
                         "frames_output", (long long)st.frames_output,
                         "corrupt_packets", (long long)st.corrupt_packets,
                         "corrupt_frames", (long long)st.corrupt_frames,
                         "size_changes", (long long)st.size_changes,
                         "read_errors", (long long)st.read_errors,
                         "demux_seconds", st.demux_ns / 1e9,
                         "decode_seconds", st.decode_ns / 1e9,
                         "convert_seconds", st.convert_ns / 1e9);
}

/* The frame index as a numpy structured array, copied (the decoder owns the
 * C array; a copy keeps the result valid after close). */
static PyObject *get_index(kzvpy_Decoder *self, void *c)
{
    (void)c;
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    const kzv_index_entry *e = NULL;
    int64_t n = 0;
    int err;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_get_index(self->d, &e, &n));
    PyObject *res = NULL;
    if (err == KZVPY_SIGNALED)
        goto out;
    if (err < 0) {
        kzvpy_decoder_raise(self, err);
        goto out;
    }
    PyObject *spec = Py_BuildValue("{s:[ssssss],s:[ssssss],s:[nnnnnn],s:n}",
        "names", "pts_ts", "pts", "duration", "pos", "size", "keyframe",
        "formats", "<i8", "<f8", "<f8", "<i8", "<i4", "?",
        "offsets", (Py_ssize_t)offsetof(kzv_index_entry, pts_ts), (Py_ssize_t)offsetof(kzv_index_entry, pts),
                   (Py_ssize_t)offsetof(kzv_index_entry, duration), (Py_ssize_t)offsetof(kzv_index_entry, pos),
                   (Py_ssize_t)offsetof(kzv_index_entry, size), (Py_ssize_t)offsetof(kzv_index_entry, keyframe),
        "itemsize", (Py_ssize_t)sizeof(kzv_index_entry));
    PyArray_Descr *descr = NULL;
    if (!spec || !PyArray_DescrConverter(spec, &descr)) {
        Py_XDECREF(spec);
        goto out;
    }
    Py_DECREF(spec);
    npy_intp dims[1] = { (npy_intp)n };
    res = PyArray_NewFromDescr(&PyArray_Type, descr, 1, dims, NULL, NULL, 0, NULL);  /* steals descr */
    if (res && n)
        memcpy(PyArray_DATA((PyArrayObject *)res), e, sizeof(*e) * (size_t)n);
out:
    kzvpy_decoder_leave(self);
    return res;
}

/* ---- stream description ---------------------------------------------------------- */

/* The info, or NULL with ClosedError. Read with the lock held (info changes
 * when the index is built). */
#define WITH_INFO(expr)                                   \
    do {                                                  \
        if (kzvpy_decoder_enter(self) < 0)                \
            return NULL;                                  \
        const kzv_video_info *in = kzv_decoder_info(self->d); \
        PyObject *r_ = (expr);                            \
        kzvpy_decoder_leave(self);                        \
        return r_;                                        \
    } while (0)

static PyObject *str_or_none(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_FromString(s);
}

static PyObject *get_width(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyLong_FromLong(in->width)); }
static PyObject *get_height(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyLong_FromLong(in->height)); }
static PyObject *get_fps(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyFloat_FromDouble(in->fps)); }
static PyObject *get_frame_rate(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(kzvpy_fraction(in->frame_rate.num, in->frame_rate.num > 0 ? in->frame_rate.den : 0)); }
static PyObject *get_codec(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(str_or_none(in->codec)); }
static PyObject *get_decoder_name(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(str_or_none(in->decoder)); }
static PyObject *get_hwaccel(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(str_or_none(in->hwaccel)); }
static PyObject *get_container(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(str_or_none(in->container)); }
static PyObject *get_pix_fmt(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(str_or_none(in->pix_fmt)); }
static PyObject *get_start_time(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyFloat_FromDouble(in->start_time)); }
static PyObject *get_time_base(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(kzvpy_fraction(in->time_base.num, in->time_base.den)); }
static PyObject *get_bit_depth(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyLong_FromLong(in->bit_depth)); }
static PyObject *get_color(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(kzvpy_color_new(&in->color)); }
static PyObject *get_rotation(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyLong_FromLong(in->rotation)); }
static PyObject *get_stream_index(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyLong_FromLong(in->stream_index)); }
static PyObject *get_bit_rate(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyLong_FromLongLong(in->bit_rate)); }
static PyObject *get_format(kzvpy_Decoder *self, void *c) { (void)c; WITH_INFO(PyUnicode_FromString(kzv_pixfmt_name(in->format))); }
static PyObject *get_sar(kzvpy_Decoder *self, void *c)
{
    (void)c;
    WITH_INFO(kzvpy_fraction(in->sample_aspect_ratio.num,
                             in->sample_aspect_ratio.num > 0 ? in->sample_aspect_ratio.den : 0));
}
static PyObject *get_duration(kzvpy_Decoder *self, void *c)
{
    (void)c;
    WITH_INFO(in->duration > 0 ? PyFloat_FromDouble(in->duration) : Py_NewRef(Py_None));
}
static PyObject *get_header_frames(kzvpy_Decoder *self, void *c)
{
    (void)c;
    WITH_INFO(in->header_frames >= 0 ? PyLong_FromLongLong(in->header_frames) : Py_NewRef(Py_None));
}

/* Exact or None: the count is made exact by a demux-only scan on first use
 * (no decoding; cached), None only when the input cannot be scanned. */
static PyObject *get_total_frames(kzvpy_Decoder *self, void *c)
{
    (void)c;
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    int64_t n = kzv_decoder_info(self->d)->total_frames;
    if (n < 0) {
        n = kzvpy_decoder_count(self);
        if (n < 0 && PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
            kzvpy_decoder_leave(self);
            return NULL;
        }
        PyErr_Clear();
    }
    kzvpy_decoder_leave(self);
    if (n < 0)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(n);
}

static PyObject *get_closed(kzvpy_Decoder *self, void *c)
{
    (void)c;
    return PyBool_FromLong(self->d == NULL);
}

static PyObject *get_source(kzvpy_Decoder *self, void *c)
{
    (void)c;
    return Py_NewRef(self->source ? self->source : Py_None);
}

static PyObject *get_metadata(kzvpy_Decoder *self, void *c)
{
    (void)c;
    static const char *const names[] = {
        "width", "height", "fps", "frame_rate", "codec", "decoder_name", "hwaccel", "container",
        "pix_fmt", "header_frames", "duration", "start_time", "time_base", "bit_depth", "color",
        "rotation", "stream_index", "bit_rate", "sample_aspect_ratio", "format", NULL,
    };
    PyObject *d = PyDict_New();
    for (int i = 0; d && names[i]; i++) {
        PyObject *v = PyObject_GetAttrString((PyObject *)self, names[i]);
        if (!v || PyDict_SetItemString(d, names[i], v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *decoder_repr(kzvpy_Decoder *self)
{
    if (!self->d)
        return PyUnicode_FromString("<kzv.VideoDecoder (closed)>");
    if (!kzvpy_turns_try(&self->turns))      /* busy in another thread: do not wait */
        return PyUnicode_FromFormat("<kzv.VideoDecoder %R (busy)>", self->source ? self->source : Py_None);
    const kzv_video_info *in = kzv_decoder_info(self->d);
    char fps[32];
    PyOS_snprintf(fps, sizeof(fps), "%.3f", in->fps);
    PyObject *r = PyUnicode_FromFormat("<kzv.VideoDecoder %R %s %dx%d %s fps>",
                                       self->source ? self->source : Py_None,
                                       in->codec ? in->codec : "?", in->width, in->height, fps);
    kzvpy_turns_give(&self->turns);
    return r;
}

static PyGetSetDef decoder_getset[] = {
    { "width", (getter)get_width, NULL, "Coded width of the first frame.", NULL },
    { "height", (getter)get_height, NULL, "Coded height of the first frame.", NULL },
    { "fps", (getter)get_fps, NULL, "Average frame rate as a float; 0.0 when unknown.", NULL },
    { "frame_rate", (getter)get_frame_rate, NULL, "Average frame rate as a Fraction, or None.", NULL },
    { "codec", (getter)get_codec, NULL, "Codec name ('h264', 'hevc', 'vp9', 'av1', ...).", NULL },
    { "decoder_name", (getter)get_decoder_name, NULL, "FFmpeg decoder in use ('h264', 'libdav1d', ...).", NULL },
    { "hwaccel", (getter)get_hwaccel, NULL, "Hardware device type decoding it, or 'none'.", NULL },
    { "container", (getter)get_container, NULL, "Demuxer name ('mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm', ...).", NULL },
    { "pix_fmt", (getter)get_pix_fmt, NULL, "Source pixel format ('yuv420p', 'yuv420p10le', ...).", NULL },
    { "format", (getter)get_format, NULL, "Pixel format of the frames returned ('rgb24', ...; 'yuv' resolved).", NULL },
    { "total_frames", (getter)get_total_frames, NULL,
      "Exact number of frames, or None when it cannot be known exactly. Counted\n"
      "by a demux-only scan on first use (no decoding; kept).", NULL },
    { "header_frames", (getter)get_header_frames, NULL, "Frame count the container claims (may be wrong), or None.", NULL },
    { "duration", (getter)get_duration, NULL, "Duration in seconds, or None when unknown.", NULL },
    { "start_time", (getter)get_start_time, NULL, "pts of the first frame in seconds (may be non-zero or negative).", NULL },
    { "time_base", (getter)get_time_base, NULL, "The stream's time base (Fraction).", NULL },
    { "bit_depth", (getter)get_bit_depth, NULL, "Bits per component of the source (8, 10, 12, ...).", NULL },
    { "color", (getter)get_color, NULL, "Source colour description (kzv.Color).", NULL },
    { "rotation", (getter)get_rotation, NULL, "Degrees to rotate clockwise for display.", NULL },
    { "stream_index", (getter)get_stream_index, NULL, "The container stream being decoded.", NULL },
    { "bit_rate", (getter)get_bit_rate, NULL, "Bits per second; 0 when unknown.", NULL },
    { "sample_aspect_ratio", (getter)get_sar, NULL, "Sample aspect ratio (Fraction), or None.", NULL },
    { "metadata", (getter)get_metadata, NULL, "All of the above as a dict.", NULL },
    { "index", (getter)get_index, NULL,
      "The frame index, every frame in display order, as a numpy structured array\n"
      "(pts_ts, pts, duration, pos, size, keyframe); demux-only scan on first use.", NULL },
    { "closed", (getter)get_closed, NULL, "True after close().", NULL },
    { "source", (getter)get_source, NULL, "The path or name given at open.", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef decoder_methods[] = {
    { "read", (PyCFunction)decoder_read, METH_NOARGS,
      "read()\n--\n\nThe next frame in display order, or None at the end." },
    { "seek", KZVPY_KW(decoder_seek), METH_VARARGS | METH_KEYWORDS,
      "seek(seconds, mode='exact')\n--\n\n"
      "Go to the frame displayed at `seconds` (stream time, as frame.pts).\n"
      "'exact': the next frame is the one displayed then, pixels identical to\n"
      "sequential decoding; 'keyframe': the random-access point at or before it\n"
      "(fast, approximate). Past the end, iteration yields nothing." },
    { "seek_frame", (PyCFunction)decoder_seek_frame, METH_O,
      "seek_frame(n)\n--\n\nGo to frame n (display order, 0-based; negative from the end), exactly." },
    { "get_frame_at", (PyCFunction)decoder_get_frame_at, METH_O,
      "get_frame_at(index)\n--\n\nFrame `index` (negative from the end); same as decoder[index]." },
    { "get_frame_played_at", (PyCFunction)decoder_get_frame_played_at, METH_O,
      "get_frame_played_at(seconds)\n--\n\nThe frame displayed at `seconds`." },
    { "frame_index_at", (PyCFunction)decoder_frame_index_at, METH_O,
      "frame_index_at(seconds)\n--\n\nDisplay index of the frame displayed at `seconds`." },
    { "get_frames_at", (PyCFunction)decoder_get_frames_at, METH_O,
      "get_frames_at(indices)\n--\n\n"
      "The frames at `indices` (any order, repeats allowed, negative from the end)\n"
      "as a FrameBatch: one stacked (N, H, W, C) array, with pts, duration,\n"
      "frame_index and keyframe arrays. Each group of pictures is decoded once." },
    { "get_frames_played_at", (PyCFunction)decoder_get_frames_played_at, METH_O,
      "get_frames_played_at(seconds)\n--\n\nThe frames displayed at the given times, as a FrameBatch." },
    { "get_frames_in_range", KZVPY_KW(decoder_get_frames_in_range), METH_VARARGS | METH_KEYWORDS,
      "get_frames_in_range(start, stop=None, step=None)\n--\n\n"
      "Frames range(start, stop, step) (clamped like a slice) as a FrameBatch;\n"
      "same as decoder[start:stop:step]." },
    { "export_index", (PyCFunction)kzvpy_decoder_export_index, METH_NOARGS,
      "export_index()\n--\n\n"
      "The frame index (built now if needed) as bytes, with a fingerprint of the file\n"
      "(size, modification time, hashes of its first and last 64 KiB): give it to\n"
      "VideoDecoder(path, index=...) or import_index() to skip the scan." },
    { "import_index", (PyCFunction)kzvpy_decoder_import_index, METH_O,
      "import_index(data)\n--\n\n"
      "Use an index from export_index() instead of scanning. Raises InvalidDataError\n"
      "when it is damaged or stale (another file, the file changed since, an older\n"
      "kzv); the decoder then scans when it needs the index, as before." },
    { "plan_segments", KZVPY_KW(kzvpy_decoder_plan_segments), METH_VARARGS | METH_KEYWORDS,
      "plan_segments(*, count=None, seconds=None)\n--\n\n"
      "Split the video into segments covering every frame once: a list of tuples\n"
      "(start, end, start_pts, end_pts, start_pts_ts, end_pts_ts, keyframe) for\n"
      "display frames [start, end). count segments, or about `seconds` long (default\n"
      "60); boundaries move onto a keyframe within a quarter segment of an even split." },
    { "stats", (PyCFunction)decoder_stats, METH_NOARGS,
      "stats()\n--\n\nThe decoder's counters: packets_read, frames_decoded, frames_output,\n"
      "corrupt_packets, corrupt_frames, size_changes, read_errors, and the seconds\n"
      "spent demuxing, decoding and converting." },
    { "interrupt", (PyCFunction)decoder_interrupt, METH_NOARGS,
      "interrupt()\n--\n\nMake a call in progress in another thread (and every later read) fail\n"
      "with CanceledError. Irreversible; any thread." },
    { "close", (PyCFunction)decoder_close, METH_NOARGS,
      "close()\n--\n\nRelease the decoder. Frames already returned stay valid. Idempotent." },
    { "__enter__", (PyCFunction)decoder_enter_ctx, METH_NOARGS, NULL },
    { "__exit__", (PyCFunction)decoder_exit_ctx, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

static PyMappingMethods decoder_as_mapping = {
    .mp_length = (lenfunc)decoder_len,
    .mp_subscript = (binaryfunc)decoder_getitem,
};

static PySequenceMethods decoder_as_sequence = {
    .sq_length = (lenfunc)decoder_len,
};

PyTypeObject kzvpy_DecoderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.VideoDecoder",
    .tp_basicsize = sizeof(kzvpy_Decoder),
    .tp_dealloc = (destructor)decoder_dealloc,
    .tp_repr = (reprfunc)decoder_repr,
    .tp_as_mapping = &decoder_as_mapping,
    .tp_as_sequence = &decoder_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "VideoDecoder(source, *, format='rgb24', threads=0, hwaccel=None,\n"
              "             stream_index=-1, strict=False, keep_first_size=False,\n"
              "             count_frames=False, max_pixels=0, io_timeout=None, name=None,\n"
              "             index=None, container=None)\n--\n\n"
              "Decode a video's frames in display order with exact timing.\n\n"
              "source: a path, a bytes-like object (decoded in place, no copy) or a\n"
              "file-like object (read whole into memory). index: bytes from\n"
              "export_index() (or a SegmentPlan's), used instead of scanning the file;\n"
              "a stale one is refused with a RuntimeWarning. Iterate it for VideoFrames;\n"
              "len(), decoder[i], decoder[a:b:s] and the get_frames_* methods give random\n"
              "access. A context manager. Raises FileNotFoundError for a missing file,\n"
              "kzv.Error (a ValueError) subclasses otherwise.\n"
              "container: FFmpeg's name of the demuxer to use ('mov', 'matroska', 'avi',\n"
              "'mpegts', 'h264', ...) instead of probing; unknown: InvalidArgumentError.",
    .tp_weaklistoffset = offsetof(kzvpy_Decoder, weakrefs),
    .tp_iter = (getiterfunc)decoder_iter,
    .tp_iternext = (iternextfunc)decoder_iternext,
    .tp_methods = decoder_methods,
    .tp_getset = decoder_getset,
    .tp_init = (initproc)decoder_init,
    .tp_new = PyType_GenericNew,
};
