/*
 * kzv.VideoFrameProcessor: the seed's processor over kzv_processor. The
 * decode thread runs in C; the thread calling process_all_frames() pops each
 * frame, uploads it (a C backend without Python, or a Python uploader through
 * pyuploader.c), and calls the Python callback with the GIL taken back for
 * that call only. Every texture is released exactly once by kzv.
 *
 * Errors in the callback (or the Python uploader's methods): an Exception is
 * reported with the frame's index (on_error(index, exc), else the "kzv"
 * logger), kept in `errors`, counted, and processing goes on — the seed's
 * graceful degradation — unless stop_on_error=True, which stops and raises
 * it. KeyboardInterrupt and SystemExit always stop and propagate.
 *
 * Thread-safety: stop() may be called from any thread and from the callback.
 * close() while a run is going on (from another thread or the callback) stops
 * it and closes when the run returns. process_all_frames() runs once.
 */
#include <math.h>
#include <string.h>

#include "kzvpy.h"

#define MAX_KEPT_ERRORS 100

typedef struct kzvpy_Processor {
    PyObject_HEAD
    kzv_processor *p;
    kzv_uploader *u;            /* what the processor uses: borrowed or `own_u` */
    kzv_uploader *own_u;        /* the adapter over a Python uploader */
    void *adapter;
    kzvpy_Uploader *c_uploader; /* a C backend object (holds a `users` count) */
    PyObject *uploader_obj;     /* the gpu_uploader given */
    PyObject *source;
    PyObject *decoder_kwargs;   /* for the lazily opened .decoder */
    PyObject *decoder;
    PyObject *errors;           /* [(frame_index, exception)], the first MAX_KEPT_ERRORS */
    PyObject *on_error;
    int64_t error_count;
    bool stop_on_error, running, ran, close_pending, stopped;
    PyObject *weakrefs;
} kzvpy_Processor;

struct kzvpy_run {
    kzvpy_Processor *proc;
    PyObject *callback;
    PyThreadState *tstate;      /* saved while the run is in C */
    PyObject *pending;          /* the exception to raise when the run returns */
};

/* ---- construction --------------------------------------------------------- */

static int proc_init(kzvpy_Processor *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "path", "gpu_uploader", "queue_size", "policy", "start_frame", "start_time",
                              "max_frames", "stop_on_error", "on_error", NULL };
    if (self->p || self->ran) {
        PyErr_SetString(PyExc_RuntimeError, "VideoFrameProcessor.__init__ called twice");
        return -1;
    }
    PyObject *kw = kwargs ? PyDict_Copy(kwargs) : PyDict_New();
    if (!kw)
        return -1;
    kzvpy_decoder_opts o;
    PyObject *path, *uploader = Py_None, *start_frame = Py_None, *start_time = Py_None;
    PyObject *max_frames = Py_None, *on_error = Py_None;
    int queue_size = 16, stop_on_error = 0;
    const char *policy = "block";
    /* The decoder keywords, kept for .decoder, then taken out for our parser. */
    PyObject *dec_kw = PyDict_New();
    static const char *const dec_keys[] = { "format", "threads", "hwaccel", "stream_index", "strict",
                                            "keep_first_size", "count_frames", "max_pixels", "io_timeout", NULL };
    for (int i = 0; dec_kw && dec_keys[i]; i++) {
        PyObject *v = PyDict_GetItemString(kw, dec_keys[i]);
        if (v && PyDict_SetItemString(dec_kw, dec_keys[i], v) < 0)
            Py_CLEAR(dec_kw);
    }
    if (!dec_kw || kzvpy_decoder_opts_take(&o, kw) < 0 ||
        !PyArg_ParseTupleAndKeywords(args, kw, "O|O$isOOOpO:VideoFrameProcessor", kwlist, &path, &uploader,
                                     &queue_size, &policy, &start_frame, &start_time, &max_frames,
                                     &stop_on_error, &on_error)) {
        Py_DECREF(kw);
        Py_XDECREF(dec_kw);
        return -1;
    }
    Py_DECREF(kw);
    Py_XSETREF(self->decoder_kwargs, dec_kw);

    kzv_processor_settings s;
    kzv_processor_default_settings(&s);
    s.decoder = o.s;     /* o.s.hwaccel points into o, which lives until the open below */
    if (queue_size < 1) {
        PyErr_SetString(PyExc_ValueError, "queue_size must be >= 1");
        return -1;
    }
    s.queue.capacity = queue_size;
    if (!strcmp(policy, "block"))
        s.queue.policy = KZV_QUEUE_BLOCK;
    else if (!strcmp(policy, "drop_oldest"))
        s.queue.policy = KZV_QUEUE_DROP_OLDEST;
    else {
        PyErr_Format(PyExc_ValueError, "policy must be 'block' or 'drop_oldest', not '%s'", policy);
        return -1;
    }
    if (start_frame != Py_None) {
        long long n = PyLong_AsLongLong(start_frame);
        if (n == -1 && PyErr_Occurred())
            return -1;
        if (n < 0) {
            PyErr_SetString(PyExc_ValueError, "start_frame must be >= 0");
            return -1;
        }
        s.start_frame = n;
    }
    if (start_time != Py_None) {
        double t = PyFloat_AsDouble(start_time);
        if (t == -1.0 && PyErr_Occurred())
            return -1;
        if (isnan(t)) {
            PyErr_SetString(PyExc_ValueError, "start_time is NaN");
            return -1;
        }
        s.start_time = t;
    }
    if (max_frames != Py_None) {
        long long n = PyLong_AsLongLong(max_frames);
        if (n == -1 && PyErr_Occurred())
            return -1;
        if (n < 0) {
            PyErr_SetString(PyExc_ValueError, "max_frames must be >= 0");
            return -1;
        }
        s.max_frames = n;
    }
    if (on_error != Py_None && !PyCallable_Check(on_error)) {
        PyErr_SetString(PyExc_TypeError, "on_error must be callable (frame_index, exception) or None");
        return -1;
    }
    self->stop_on_error = stop_on_error;
    Py_XSETREF(self->on_error, Py_NewRef(on_error));
    if (!self->errors && !(self->errors = PyList_New(0)))
        return -1;

    /* The uploader: a C backend directly, anything else through the adapter. */
    if (PyObject_TypeCheck(uploader, &kzvpy_UploaderType)) {
        kzvpy_Uploader *cu = (kzvpy_Uploader *)uploader;
        if (!cu->u) {
            kzvpy_raise_closed("the uploader");
            return -1;
        }
        self->u = cu->u;
        self->c_uploader = cu;
        cu->users++;
    } else if (uploader != Py_None) {
        if (kzvpy_pyuploader_create(&self->own_u, uploader, &self->adapter) < 0)
            return -1;
        self->u = self->own_u;
    }
    Py_XSETREF(self->uploader_obj, Py_NewRef(uploader));

    if (!PyUnicode_Check(path) && !PyObject_HasAttrString(path, "__fspath__")) {
        PyErr_Format(PyExc_TypeError, "VideoFrameProcessor(path): a path is needed, not %.100s (the "
                     "processor opens files; decode bytes with VideoDecoder)", Py_TYPE(path)->tp_name);
        return -1;
    }
    PyObject *fspath = PyOS_FSPath(path);
    PyObject *bytes = NULL;
    if (!fspath || !PyUnicode_FSConverter(fspath, &bytes)) {
        Py_XDECREF(fspath);
        return -1;
    }
    Py_XSETREF(self->source, fspath);
    char msg[1024] = "";
    int err;
    const char *cpath = PyBytes_AS_STRING(bytes);
    Py_BEGIN_ALLOW_THREADS
    err = kzv_processor_open(&self->p, cpath, self->u, &s);
    if (err < 0)
        snprintf(msg, sizeof(msg), "%s", kzv_decoder_last_error(NULL));
    Py_END_ALLOW_THREADS
    Py_DECREF(bytes);
    if (err < 0) {
        kzvpy_raise(err, msg, self->source);
        return -1;
    }
    return 0;
}

/* ---- running ----------------------------------------------------------------- */

static void add_note(PyObject *exc, const char *fmt, long long index)
{
    if (index < 0 || !PyObject_HasAttrString(exc, "add_note"))
        return;
    char note[96];
    PyOS_snprintf(note, sizeof(note), fmt, index);
    PyObject *r = PyObject_CallMethod(exc, "add_note", "s", note);
    if (!r)
        PyErr_Clear();
    Py_XDECREF(r);
}

void kzvpy_run_report(struct kzvpy_run *run, const char *where, int64_t index, PyObject *exc)
{
    kzvpy_Processor *self = run->proc;
    if (!exc)
        return;
    bool fatal = self->stop_on_error || !PyErr_GivenExceptionMatches(exc, PyExc_Exception);
    if (fatal) {
        if (!run->pending) {
            char fmt[96];
            PyOS_snprintf(fmt, sizeof(fmt), "kzv: raised by %s for frame %%lld", where);
            add_note(exc, fmt, (long long)index);
            run->pending = exc;
        } else {
            Py_DECREF(exc);
        }
        kzv_processor_stop(self->p);
        return;
    }
    self->error_count++;
    if (PyList_GET_SIZE(self->errors) < MAX_KEPT_ERRORS) {
        PyObject *t = Py_BuildValue("(LO)", (long long)index, exc);
        if (!t || PyList_Append(self->errors, t) < 0)
            PyErr_Clear();
        Py_XDECREF(t);
    }
    PyObject *r;
    if (self->on_error && self->on_error != Py_None)
        r = PyObject_CallFunction(self->on_error, "LO", (long long)index, exc);
    else if (kzvpy_hook_report)
        r = PyObject_CallFunction(kzvpy_hook_report, "sLO", where, (long long)index, exc);
    else
        r = Py_NewRef(Py_None);
    if (!r) {   /* the reporter itself failed: that one stops the run */
        PyObject *e = kzvpy_fetch_exception();
        if (!run->pending)
            run->pending = e;
        else
            Py_XDECREF(e);
        kzv_processor_stop(self->p);
    }
    Py_XDECREF(r);
    Py_DECREF(exc);
}

static int trampoline(const kzv_frame *f, kzv_texture tex, void *user)
{
    struct kzvpy_run *run = user;
    kzvpy_Processor *self = run->proc;
    PyEval_RestoreThread(run->tstate);
    int ret = 0;
    if (run->pending) {
        ret = 1;
        goto out;
    }
    PyObject *frame = kzvpy_frame_new(kzv_frame_ref((kzv_frame *)f));   /* read-only use */
    PyObject *texobj;
    if (tex == KZV_NO_TEXTURE)
        texobj = Py_NewRef(Py_None);
    else if (self->adapter)
        texobj = Py_XNewRef(kzvpy_pyuploader_texture(self->adapter, tex));
    else
        texobj = PyLong_FromUnsignedLongLong(tex);
    PyObject *r = frame && texobj ? PyObject_CallFunctionObjArgs(run->callback, frame, texobj, NULL) : NULL;
    Py_XDECREF(frame);
    Py_XDECREF(texobj);
    if (r) {
        Py_DECREF(r);
    } else {
        kzvpy_run_report(run, "the callback", f->frame_index, kzvpy_fetch_exception());
        ret = run->pending ? 1 : -1;
    }
    if (!run->pending && PyErr_CheckSignals() < 0) {   /* Ctrl-C between frames */
        run->pending = kzvpy_fetch_exception();
        kzv_processor_stop(self->p);
    }
    if (run->pending)
        ret = 1;
out:
    run->tstate = PyEval_SaveThread();
    return ret;
}

static void cancel_processor(void *p)
{
    kzv_processor_stop(p);
}

static PyObject *proc_stats(kzvpy_Processor *self, PyObject *unused);
static void close_now(kzvpy_Processor *self);

static PyObject *proc_run(kzvpy_Processor *self, PyObject *callback)
{
    if (!self->p)
        return kzvpy_raise_closed("the processor");
    if (self->running) {
        PyErr_SetString(PyExc_RuntimeError, "process_all_frames is already running");
        return NULL;
    }
    if (self->ran)
        return kzvpy_raise(KZV_EINVAL, "process_all_frames can be called once per processor", NULL);
    if (!PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable as callback(frame, texture_id)");
        return NULL;
    }
    if (self->c_uploader && kzvpy_uploader_acquire(self->c_uploader) < 0)
        return NULL;
    struct kzvpy_run run = { .proc = self, .callback = callback };
    Py_INCREF(self);
    Py_INCREF(callback);
    self->running = true;
    if (self->adapter)
        kzvpy_pyuploader_set_run(self->adapter, &run);
    kzvpy_guard g;
    kzvpy_guard_begin(&g, cancel_processor, self->p);
    run.tstate = PyEval_SaveThread();
    int err = kzv_processor_run(self->p, trampoline, &run);
    PyEval_RestoreThread(run.tstate);
    bool fired = kzvpy_guard_end(&g);
    if (self->adapter)
        kzvpy_pyuploader_set_run(self->adapter, NULL);
    if (self->c_uploader)
        kzvpy_uploader_release(self->c_uploader);
    self->running = false;
    self->ran = true;

    PyObject *res = NULL;
    if (run.pending) {
        kzvpy_restore_exception(run.pending);
    } else if (fired && PyErr_CheckSignals() < 0) {
        /* KeyboardInterrupt raised */
    } else if (err < 0 && !(err == KZV_ECANCELED && self->stopped)) {
        kzvpy_raise(err, kzv_processor_last_error(self->p), self->source);
    } else {
        res = proc_stats(self, NULL);
    }
    if (self->close_pending) {
        PyObject *exc = kzvpy_fetch_exception();
        close_now(self);
        kzvpy_restore_exception(exc);
    }
    Py_DECREF(callback);
    Py_DECREF(self);
    return res;
}

static PyObject *proc_stop(kzvpy_Processor *self, PyObject *unused)
{
    (void)unused;
    /* With the GIL held throughout: close() cannot free p under us. */
    if (self->p) {
        self->stopped = true;
        kzv_processor_stop(self->p);
    }
    Py_RETURN_NONE;
}

/* ---- closing ---------------------------------------------------------------------- */

static void close_now(kzvpy_Processor *self)
{
    kzv_processor *p = self->p;
    kzv_uploader *own = self->own_u;
    self->p = NULL;
    self->own_u = NULL;
    self->u = NULL;
    self->adapter = NULL;
    if (p || own) {
        Py_BEGIN_ALLOW_THREADS
        kzv_processor_close(&p);
        kzv_uploader_destroy(&own);    /* Python uploader: its methods take the GIL */
        Py_END_ALLOW_THREADS
    }
    if (self->c_uploader) {
        self->c_uploader->users--;
        self->c_uploader = NULL;
    }
    if (self->decoder) {
        PyObject *r = PyObject_CallMethod(self->decoder, "close", NULL);
        if (!r)
            PyErr_WriteUnraisable(self->decoder);
        Py_XDECREF(r);
    }
}

static PyObject *proc_close(kzvpy_Processor *self, PyObject *unused)
{
    (void)unused;
    if (self->running) {        /* from the callback or another thread */
        self->close_pending = true;
        return proc_stop(self, NULL);
    }
    close_now(self);
    Py_RETURN_NONE;
}

static int proc_traverse(kzvpy_Processor *self, visitproc visit, void *arg)
{
    int r = kzvpy_pyuploader_traverse(self->adapter, visit, arg);
    if (r)
        return r;
    Py_VISIT(self->uploader_obj);
    Py_VISIT(self->decoder);
    Py_VISIT(self->errors);
    Py_VISIT(self->on_error);
    Py_VISIT(self->decoder_kwargs);
    return 0;
}

static int proc_clear(kzvpy_Processor *self)
{
    if (!self->running)
        close_now(self);      /* drops the adapter's reference to the uploader */
    Py_CLEAR(self->uploader_obj);
    Py_CLEAR(self->errors);
    Py_CLEAR(self->on_error);
    Py_CLEAR(self->decoder);
    Py_CLEAR(self->decoder_kwargs);
    return 0;
}

static void proc_dealloc(kzvpy_Processor *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    close_now(self);
    proc_clear(self);
    Py_CLEAR(self->uploader_obj);
    Py_CLEAR(self->source);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ---- attributes ------------------------------------------------------------------ */

static PyObject *proc_stats(kzvpy_Processor *self, PyObject *unused)
{
    (void)unused;
    kzv_processor_stats st;
    kzv_processor_get_stats(self->p, &st);   /* zeros once closed */
    return Py_BuildValue("{s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L}",
                         "decoded", (long long)st.decoded, "enqueued", (long long)st.enqueued,
                         "processing", (long long)st.processing, "uploaded", (long long)st.uploaded,
                         "released", (long long)st.released, "errors", (long long)st.errors,
                         "dropped", (long long)st.dropped, "callback_errors", (long long)self->error_count);
}

static PyObject *proc_decoder_stats(kzvpy_Processor *self, PyObject *unused)
{
    (void)unused;
    if (!self->p)
        return kzvpy_raise_closed("the processor");
    if (self->running) {
        PyErr_SetString(PyExc_RuntimeError, "decoder_stats() is not available while running");
        return NULL;
    }
    kzv_decoder_stats st;
    kzv_processor_get_decoder_stats(self->p, &st);
    return Py_BuildValue("{s:L,s:L,s:L,s:L,s:L,s:L,s:L}",
                         "packets_read", (long long)st.packets_read, "frames_decoded", (long long)st.frames_decoded,
                         "frames_output", (long long)st.frames_output, "corrupt_packets", (long long)st.corrupt_packets,
                         "corrupt_frames", (long long)st.corrupt_frames, "size_changes", (long long)st.size_changes,
                         "read_errors", (long long)st.read_errors);
}

static PyObject *get_decoder(kzvpy_Processor *self, void *c)
{
    (void)c;
    if (!self->decoder) {
        if (!self->p)
            return kzvpy_raise_closed("the processor");
        PyObject *args = PyTuple_Pack(1, self->source);
        self->decoder = args ? PyObject_Call((PyObject *)&kzvpy_DecoderType, args, self->decoder_kwargs) : NULL;
        Py_XDECREF(args);
        if (!self->decoder)
            return NULL;
    }
    return Py_NewRef(self->decoder);
}

static PyObject *get_info(kzvpy_Processor *self, const char *what)
{
    if (!self->p)
        return kzvpy_raise_closed("the processor");
    const kzv_video_info *in = kzv_processor_info(self->p);
    if (!strcmp(what, "width"))
        return PyLong_FromLong(in->width);
    if (!strcmp(what, "height"))
        return PyLong_FromLong(in->height);
    if (!strcmp(what, "fps"))
        return PyFloat_FromDouble(in->fps);
    return PyUnicode_FromString(in->codec ? in->codec : "");
}

static PyObject *get_width(kzvpy_Processor *self, void *c) { (void)c; return get_info(self, "width"); }
static PyObject *get_height(kzvpy_Processor *self, void *c) { (void)c; return get_info(self, "height"); }
static PyObject *get_fps(kzvpy_Processor *self, void *c) { (void)c; return get_info(self, "fps"); }
static PyObject *get_codec(kzvpy_Processor *self, void *c) { (void)c; return get_info(self, "codec"); }

static PyObject *get_errors(kzvpy_Processor *self, void *c)
{
    (void)c;
    return PyList_GetSlice(self->errors ? self->errors : Py_None, 0, PY_SSIZE_T_MAX);
}

static PyObject *get_uploader(kzvpy_Processor *self, void *c)
{
    (void)c;
    return Py_NewRef(self->uploader_obj ? self->uploader_obj : Py_None);
}

static PyObject *get_closed(kzvpy_Processor *self, void *c)
{
    (void)c;
    return PyBool_FromLong(!self->p);
}

static PyObject *proc_enter_ctx(kzvpy_Processor *self, PyObject *unused)
{
    (void)unused;
    if (!self->p)
        return kzvpy_raise_closed("the processor");
    return Py_NewRef((PyObject *)self);
}

static PyObject *proc_exit_ctx(kzvpy_Processor *self, PyObject *args)
{
    (void)args;
    return proc_close(self, NULL);
}

static PyMethodDef proc_methods[] = {
    { "process_all_frames", (PyCFunction)proc_run, METH_O,
      "process_all_frames(callback)\n--\n\n"
      "Decode (on a C thread) and call callback(frame, texture_id) for every frame\n"
      "in display order on this thread; texture_id is None without an uploader,\n"
      "else what the uploader's upload_frame returned, released after the call.\n"
      "An exception in the callback is reported with the frame index and\n"
      "processing goes on (stop_on_error=True: stops and raises it). Returns\n"
      "stats(). Once per processor. Call stop() to end early." },
    { "stop", (PyCFunction)proc_stop, METH_NOARGS,
      "stop()\n--\n\nAsk a running process_all_frames to return soon (any thread, or the callback)." },
    { "close", (PyCFunction)proc_close, METH_NOARGS,
      "close()\n--\n\nStop, release everything (every texture exactly once), close .decoder. Idempotent." },
    { "stats", (PyCFunction)proc_stats, METH_NOARGS,
      "stats()\n--\n\nLifecycle counters: decoded, enqueued, processing, uploaded, released,\n"
      "errors, dropped, callback_errors. Any thread, also while running." },
    { "decoder_stats", (PyCFunction)proc_decoder_stats, METH_NOARGS,
      "decoder_stats()\n--\n\nThe processing decoder's counters (corrupt packets, size changes, ...)." },
    { "__enter__", (PyCFunction)proc_enter_ctx, METH_NOARGS, NULL },
    { "__exit__", (PyCFunction)proc_exit_ctx, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef proc_getset[] = {
    { "decoder", (getter)get_decoder, NULL,
      "A VideoDecoder on the same file with the same settings, opened on first use\n"
      "(for the seed's own playback loop; the processor decodes with its own).", NULL },
    { "gpu_uploader", (getter)get_uploader, NULL, "The uploader given, or None.", NULL },
    { "errors", (getter)get_errors, NULL, "[(frame_index, exception)] reported so far (the first 100).", NULL },
    { "width", (getter)get_width, NULL, "Width of the first frame.", NULL },
    { "height", (getter)get_height, NULL, "Height of the first frame.", NULL },
    { "fps", (getter)get_fps, NULL, "Average frame rate.", NULL },
    { "codec", (getter)get_codec, NULL, "Codec name.", NULL },
    { "closed", (getter)get_closed, NULL, "True after close().", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject kzvpy_ProcessorType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.VideoFrameProcessor",
    .tp_basicsize = sizeof(kzvpy_Processor),
    .tp_dealloc = (destructor)proc_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "VideoFrameProcessor(path, gpu_uploader=None, *, queue_size=16, policy='block',\n"
              "                    start_frame=None, start_time=None, max_frames=None,\n"
              "                    stop_on_error=False, on_error=None, **decoder_options)\n--\n\n"
              "Decoder → queue → uploader → your callback, with the decode thread in C.\n"
              "gpu_uploader: None, MemoryUploader, GLUploader, or an IGPUTextureUploader\n"
              "(Python). decoder_options as for VideoDecoder (format, threads, hwaccel, ...).",
    .tp_traverse = (traverseproc)proc_traverse,
    .tp_clear = (inquiry)proc_clear,
    .tp_weaklistoffset = offsetof(kzvpy_Processor, weakrefs),
    .tp_methods = proc_methods,
    .tp_getset = proc_getset,
    .tp_init = (initproc)proc_init,
    .tp_new = PyType_GenericNew,
};
