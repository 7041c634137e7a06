/*
 * The C uploader backends as Python objects: kzv.MemoryUploader (host copies,
 * the reference backend) and kzv.GLUploader (OpenGL ES 3 textures via EGL,
 * headless or on the caller's current context), both on a common base with
 * the seed's IGPUTextureUploader methods (upload_frame, release_texture,
 * get_texture_size), so they can be used directly or given to a
 * VideoFrameProcessor, which then calls the backend in C without Python.
 *
 * Thread-safety: a backend is used from one thread at a time. Calls from
 * several threads take turns on the object's lock; a processor's run holds
 * it for its whole run, and its callback (on the same thread) may still call
 * the uploader's methods.
 */
#include <string.h>

#include "kzvpy.h"

int kzvpy_uploader_acquire(kzvpy_Uploader *self)
{
    if (!self->u) {
        kzvpy_raise_closed("the uploader");
        return -1;
    }
    unsigned long me = PyThread_get_thread_ident();
    if (self->owner == me)
        return 0;                  /* re-entered from a processor's callback */
    kzvpy_turns_take(&self->turns);
    if (!self->u) {
        kzvpy_turns_give(&self->turns);
        kzvpy_raise_closed("the uploader");
        return -1;
    }
    self->owner = me;
    return 0;
}

void kzvpy_uploader_release(kzvpy_Uploader *self)
{
    self->owner = 0;
    kzvpy_turns_give(&self->turns);
}

/* Method-call turns: like acquire/release, but a call made from inside the
 * owner's run (its callback) neither takes nor gives back the lock. */
static int enter(kzvpy_Uploader *self, bool *took)
{
    *took = self->owner != PyThread_get_thread_ident();
    if (!*took) {
        if (!self->u) {
            kzvpy_raise_closed("the uploader");
            return -1;
        }
        return 0;
    }
    return kzvpy_uploader_acquire(self);
}

static void leave(kzvpy_Uploader *self, bool took)
{
    if (took)
        kzvpy_uploader_release(self);
}

static int texture_arg(PyObject *arg, kzv_texture *tex)
{
    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "texture id must be an int, not %.100s", Py_TYPE(arg)->tp_name);
        return -1;
    }
    unsigned long long t = PyLong_AsUnsignedLongLong(arg);
    if (t == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        t = 0;                    /* negative: no such texture */
    }
    *tex = t;
    return 0;
}

static PyObject *up_raise(int err, const char *what)
{
    char msg[160];
    PyOS_snprintf(msg, sizeof(msg), "%s failed: %s (the log says more)", what, kzv_strerror(err));
    return kzvpy_raise(err, msg, NULL);
}

static PyObject *up_upload(kzvpy_Uploader *self, PyObject *frame)
{
    kzv_frame *f = kzvpy_frame_get(frame);
    bool took;
    if (!f || enter(self, &took) < 0)
        return NULL;
    kzv_texture tex = KZV_NO_TEXTURE;
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_uploader_upload(self->u, f, &tex);
    Py_END_ALLOW_THREADS
    leave(self, took);
    if (err < 0)
        return up_raise(err, "upload_frame");
    return PyLong_FromUnsignedLongLong(tex);
}

static PyObject *up_release(kzvpy_Uploader *self, PyObject *arg)
{
    kzv_texture tex;
    bool took;
    if (texture_arg(arg, &tex) < 0 || enter(self, &took) < 0)
        return NULL;
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_uploader_release(self->u, tex);
    Py_END_ALLOW_THREADS
    leave(self, took);
    if (err < 0)
        return kzvpy_raise(err, "release_texture: not a live texture of this uploader "
                           "(released already, or never uploaded)", NULL);
    Py_RETURN_NONE;
}

static PyObject *up_size(kzvpy_Uploader *self, PyObject *arg)
{
    kzv_texture tex;
    bool took;
    if (texture_arg(arg, &tex) < 0 || enter(self, &took) < 0)
        return NULL;
    int w = 0, h = 0;
    int err = kzv_uploader_texture_size(self->u, tex, &w, &h);
    leave(self, took);
    if (err < 0)
        return kzvpy_raise(err, "get_texture_size: not a live texture of this uploader", NULL);
    return Py_BuildValue("(ii)", w, h);
}

static PyObject *up_close(kzvpy_Uploader *self, PyObject *unused)
{
    (void)unused;
    if (!self->u)
        Py_RETURN_NONE;
    if (self->users > 0) {
        PyErr_SetString(PyExc_RuntimeError, "the uploader is used by a VideoFrameProcessor: close that first");
        return NULL;
    }
    bool took;
    if (enter(self, &took) < 0)
        return NULL;
    kzv_uploader *u = self->u;
    self->u = NULL;
    Py_BEGIN_ALLOW_THREADS
    kzv_uploader_destroy(&u);      /* releases textures still live (logged as leaks) */
    Py_END_ALLOW_THREADS
    leave(self, took);
    Py_RETURN_NONE;
}

static PyObject *up_enter_ctx(kzvpy_Uploader *self, PyObject *unused)
{
    (void)unused;
    return Py_NewRef((PyObject *)self);
}

static PyObject *up_exit_ctx(kzvpy_Uploader *self, PyObject *args)
{
    (void)args;
    return up_close(self, NULL);
}

static PyObject *get_live(kzvpy_Uploader *self, void *c)
{
    (void)c;
    return PyLong_FromLongLong(self->u ? kzv_uploader_live_textures(self->u) : 0);
}

static PyObject *get_name(kzvpy_Uploader *self, void *c)
{
    (void)c;
    if (!self->u)
        return kzvpy_raise_closed("the uploader");
    return PyUnicode_FromString(kzv_uploader_name(self->u));
}

static PyObject *get_closed(kzvpy_Uploader *self, void *c)
{
    (void)c;
    return PyBool_FromLong(!self->u);
}

static void up_dealloc(kzvpy_Uploader *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    if (self->u) {
        Py_BEGIN_ALLOW_THREADS
        kzv_uploader_destroy(&self->u);
        Py_END_ALLOW_THREADS
    }
    kzvpy_turns_destroy(&self->turns);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *up_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    (void)args, (void)kwargs;
    kzvpy_Uploader *self = (kzvpy_Uploader *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    if (kzvpy_turns_init(&self->turns) < 0) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static int up_init_base(kzvpy_Uploader *self, PyObject *args, PyObject *kwargs)
{
    (void)self, (void)args, (void)kwargs;
    PyErr_SetString(PyExc_TypeError, "use MemoryUploader() or GLUploader()");
    return -1;
}

static PyMethodDef up_methods[] = {
    { "upload_frame", (PyCFunction)up_upload, METH_O,
      "upload_frame(frame)\n--\n\nMake a texture holding `frame`; returns its id (a non-zero int), which\n"
      "must be given back to release_texture() exactly once." },
    { "release_texture", (PyCFunction)up_release, METH_O,
      "release_texture(texture_id)\n--\n\nFree a texture. A second release (or a foreign id) raises\n"
      "kzv.InvalidArgumentError and frees nothing." },
    { "get_texture_size", (PyCFunction)up_size, METH_O,
      "get_texture_size(texture_id)\n--\n\n(width, height) of a live texture." },
    { "close", (PyCFunction)up_close, METH_NOARGS,
      "close()\n--\n\nDestroy the backend (textures still live are released and logged). Idempotent." },
    { "__enter__", (PyCFunction)up_enter_ctx, METH_NOARGS, NULL },
    { "__exit__", (PyCFunction)up_exit_ctx, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef up_getset[] = {
    { "live_textures", (getter)get_live, NULL, "Textures uploaded and not yet released.", NULL },
    { "name", (getter)get_name, NULL, "The backend's name ('memory', 'gl').", NULL },
    { "closed", (getter)get_closed, NULL, "True after close().", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject kzvpy_UploaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.Uploader",
    .tp_basicsize = sizeof(kzvpy_Uploader),
    .tp_dealloc = (destructor)up_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Base of the C uploader backends (MemoryUploader, GLUploader).",
    .tp_weaklistoffset = offsetof(kzvpy_Uploader, weakrefs),
    .tp_methods = up_methods,
    .tp_getset = up_getset,
    .tp_init = (initproc)up_init_base,
    .tp_new = up_new,
};

/* ---- memory ----------------------------------------------------------------- */

static int mem_init(kzvpy_Uploader *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { NULL };
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, ":MemoryUploader", kwlist))
        return -1;
    if (self->u) {
        PyErr_SetString(PyExc_RuntimeError, "MemoryUploader.__init__ called twice");
        return -1;
    }
    int err = kzv_uploader_create_memory(&self->u);
    if (err < 0) {
        kzvpy_raise(err, "cannot create the memory uploader", NULL);
        return -1;
    }
    return 0;
}

static PyObject *mem_read(kzvpy_Uploader *self, PyObject *arg)
{
    kzv_texture tex;
    bool took;
    if (texture_arg(arg, &tex) < 0 || enter(self, &took) < 0)
        return NULL;
    kzv_frame *f = NULL;
    int err = kzv_uploader_memory_read(self->u, tex, &f);
    leave(self, took);
    if (err < 0)
        return kzvpy_raise(err, "read: not a live texture of this uploader", NULL);
    return kzvpy_frame_new(f);
}

static PyMethodDef mem_methods[] = {
    { "read", (PyCFunction)mem_read, METH_O,
      "read(texture_id)\n--\n\nThe host copy behind a live texture, as a VideoFrame." },
    { NULL, NULL, 0, NULL },
};

PyTypeObject kzvpy_MemoryUploaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.MemoryUploader",
    .tp_basicsize = sizeof(kzvpy_Uploader),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "MemoryUploader()\n--\n\n"
              "The memory backend: each texture is a host copy of the frame (the\n"
              "reference every other backend is tested against).",
    .tp_methods = mem_methods,
    .tp_init = (initproc)mem_init,
};

/* ---- gl ------------------------------------------------------------------------ */

static int gl_init(kzvpy_Uploader *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "use_current_context", "path", "pbo_ring", "pool_size", NULL };
    kzv_gl_settings s;
    kzv_gl_default_settings(&s);
    int current = s.use_current_context, pbo = s.pbo_ring, pool = s.pool_size;
    const char *path = s.path == KZV_GL_PATH_YUV ? "yuv" : "rgb";
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$psii:GLUploader", kwlist, &current, &path, &pbo, &pool))
        return -1;
    if (self->u) {
        PyErr_SetString(PyExc_RuntimeError, "GLUploader.__init__ called twice");
        return -1;
    }
    if (!strcmp(path, "rgb"))
        s.path = KZV_GL_PATH_RGB;
    else if (!strcmp(path, "yuv"))
        s.path = KZV_GL_PATH_YUV;
    else {
        PyErr_Format(PyExc_ValueError, "path must be 'rgb' or 'yuv', not '%s'", path);
        return -1;
    }
    s.use_current_context = current;
    s.pbo_ring = pbo;
    s.pool_size = pool;
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_uploader_create_gl(&self->u, &s);
    Py_END_ALLOW_THREADS
    if (err < 0) {
        kzvpy_raise(err, err == KZV_EUNSUPPORTED ? "GLUploader: libkzv was built without EGL/GLES, or the "
                    "context is older than OpenGL ES 3.0" : "GLUploader: no usable EGL display or context "
                    "(the log says why)", NULL);
        return -1;
    }
    return 0;
}

static PyObject *gl_name(kzvpy_Uploader *self, PyObject *arg)
{
    kzv_texture tex;
    bool took;
    if (texture_arg(arg, &tex) < 0 || enter(self, &took) < 0)
        return NULL;
    unsigned name = kzv_gl_texture_name(self->u, tex);
    leave(self, took);
    if (!name)
        return kzvpy_raise(KZV_EINVAL, "gl_name: not a live texture of this uploader", NULL);
    return PyLong_FromUnsignedLong(name);
}

static PyObject *gl_read(kzvpy_Uploader *self, PyObject *arg)
{
    kzv_texture tex;
    bool took;
    if (texture_arg(arg, &tex) < 0 || enter(self, &took) < 0)
        return NULL;
    int w = 0, h = 0;
    int err = kzv_uploader_texture_size(self->u, tex, &w, &h);
    PyObject *arr = NULL;
    if (err == KZV_OK) {
        npy_intp dims[3] = { h, w, 4 };
        arr = PyArray_SimpleNew(3, dims, NPY_UINT8);
        if (arr) {
            uint8_t *p = PyArray_DATA((PyArrayObject *)arr);
            Py_BEGIN_ALLOW_THREADS
            err = kzv_gl_read_texture(self->u, tex, p, 4 * w);
            Py_END_ALLOW_THREADS
        }
    }
    leave(self, took);
    if (err < 0) {
        Py_XDECREF(arr);
        return up_raise(err, "read_texture");
    }
    return arr;
}

static PyObject *gl_simple(kzvpy_Uploader *self, int (*fn)(kzv_uploader *), const char *what)
{
    bool took;
    if (enter(self, &took) < 0)
        return NULL;
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = fn(self->u);
    Py_END_ALLOW_THREADS
    leave(self, took);
    if (err < 0)
        return up_raise(err, what);
    Py_RETURN_NONE;
}

static PyObject *gl_finish(kzvpy_Uploader *self, PyObject *unused)
{
    (void)unused;
    return gl_simple(self, kzv_gl_finish, "finish");
}

static PyObject *gl_make_current(kzvpy_Uploader *self, PyObject *unused)
{
    (void)unused;
    return gl_simple(self, kzv_gl_make_current, "make_current");
}

static PyObject *gl_release_current(kzvpy_Uploader *self, PyObject *unused)
{
    (void)unused;
    return gl_simple(self, kzv_gl_release_current, "release_current");
}

static PyObject *gl_stats(kzvpy_Uploader *self, PyObject *unused)
{
    (void)unused;
    bool took;
    if (enter(self, &took) < 0)
        return NULL;
    kzv_gl_stats st;
    int err = kzv_gl_get_stats(self->u, &st);
    leave(self, took);
    if (err < 0)
        return up_raise(err, "stats");
    return Py_BuildValue("{s:L,s:L,s:L,s:L,s:L,s:L,s:i,s:i,s:i,s:i,s:i,s:i}",
                         "uploads", (long long)st.uploads, "bytes_uploaded", (long long)st.bytes_uploaded,
                         "pbo_uploads", (long long)st.pbo_uploads, "textures_created", (long long)st.textures_created,
                         "textures_deleted", (long long)st.textures_deleted, "pool_hits", (long long)st.pool_hits,
                         "live_textures", st.live_textures, "pool_free", st.pool_free,
                         "gl_textures", st.gl_textures, "gl_buffers", st.gl_buffers,
                         "gl_framebuffers", st.gl_framebuffers, "gl_programs", st.gl_programs);
}

static PyMethodDef gl_methods[] = {
    { "gl_name", (PyCFunction)gl_name, METH_O,
      "gl_name(texture_id)\n--\n\nThe GL texture name (GLuint) behind a live texture, for drawing in the\n"
      "uploader's context. It belongs to the uploader: stop using it after release." },
    { "read_texture", (PyCFunction)gl_read, METH_O,
      "read_texture(texture_id)\n--\n\nRead a live texture back as an (H, W, 4) uint8 RGBA array (row 0 at top)." },
    { "finish", (PyCFunction)gl_finish, METH_NOARGS, "finish()\n--\n\nWait until the GPU finished the queued work." },
    { "make_current", (PyCFunction)gl_make_current, METH_NOARGS,
      "make_current()\n--\n\nMake the uploader's context current on this thread." },
    { "release_current", (PyCFunction)gl_release_current, METH_NOARGS,
      "release_current()\n--\n\nRelease the uploader's context from this thread (to move it to another)." },
    { "stats", (PyCFunction)gl_stats, METH_NOARGS, "stats()\n--\n\nThe gl backend's counters as a dict." },
    { NULL, NULL, 0, NULL },
};

PyTypeObject kzvpy_GLUploaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.GLUploader",
    .tp_basicsize = sizeof(kzvpy_Uploader),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "GLUploader(*, use_current_context=False, path='rgb', pbo_ring=3, pool_size=8)\n--\n\n"
              "The OpenGL ES 3 backend over EGL: its own headless context, or the context\n"
              "current on the calling thread (use_current_context=True). path='rgb'\n"
              "uploads rgb24/rgba frames; path='yuv' also every YUV layout, converted by\n"
              "a shader with the frame's own matrix and range. Raises kzv.GPUError when\n"
              "no EGL display can be had.",
    .tp_methods = gl_methods,
    .tp_init = (initproc)gl_init,
};
