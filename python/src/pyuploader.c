/*
 * A kzv_uploader_impl whose functions call a Python object: how a Python
 * IGPUTextureUploader subclass plugs into the C processor. kzv's checked
 * wrapper (kzv_uploader_create) around it does the bookkeeping that makes
 * "released exactly once" hold: every texture the processor uploads is
 * released once, after the callback, on every path.
 *
 * Texture ids: Python's upload_frame may return any object (an int GL name,
 * a texture object, a tensor); the adapter gives each upload a fresh non-zero
 * handle for kzv and keeps handle → object, so the same object returned twice
 * (a constant id, a reused texture) is still two textures to kzv, and
 * release_texture gets back exactly the object upload_frame returned.
 *
 * The functions run on the thread of the processor's run, with the GIL
 * released around them; each takes it with PyGILState_Ensure().
 */
#include <stdlib.h>

#include "kzvpy.h"

typedef struct adapter {
    PyObject *obj;          /* the Python uploader */
    PyObject *textures;     /* {handle: texture object} */
    uint64_t next;
    struct kzvpy_run *run;  /* where exceptions go while a run is on */
} adapter;

/* obj.name(arg), whatever arg is (a tuple is one argument, not the argument list). */
static PyObject *call1(PyObject *obj, const char *name, PyObject *arg)
{
    PyObject *n = PyUnicode_FromString(name);
    PyObject *r = n ? PyObject_CallMethodObjArgs(obj, n, arg, NULL) : NULL;
    Py_XDECREF(n);
    return r;
}

static void report(adapter *a, const char *where, int64_t index)
{
    PyObject *exc = kzvpy_fetch_exception();
    if (a->run) {
        kzvpy_run_report(a->run, where, index, exc);
    } else {
        kzvpy_restore_exception(exc);
        PyErr_WriteUnraisable(a->obj);
    }
}

static int a_upload(void *priv, const kzv_frame *f, kzv_texture *out)
{
    adapter *a = priv;
    PyGILState_STATE g = PyGILState_Ensure();
    int ret = KZV_EGPU;
    PyObject *frame = kzvpy_frame_new(kzv_frame_ref((kzv_frame *)f));   /* read-only use */
    PyObject *tex = frame ? call1(a->obj, "upload_frame", frame) : NULL;
    if (tex == Py_None) {
        Py_CLEAR(tex);
        PyErr_SetString(PyExc_TypeError, "upload_frame returned None instead of a texture id");
    }
    if (tex) {
        uint64_t h = ++a->next;
        PyObject *key = PyLong_FromUnsignedLongLong(h);
        if (key && PyDict_SetItem(a->textures, key, tex) == 0) {
            *out = h;
            ret = KZV_OK;
        }
        Py_XDECREF(key);
    }
    if (ret < 0)
        report(a, "upload_frame", f->frame_index);
    Py_XDECREF(tex);
    Py_XDECREF(frame);
    PyGILState_Release(g);
    return ret;
}

/* The texture object for `tex`: a new reference removed from the table, or NULL. */
static PyObject *take_texture(adapter *a, kzv_texture tex, bool remove)
{
    PyObject *key = PyLong_FromUnsignedLongLong(tex);
    PyObject *obj = key ? PyDict_GetItemWithError(a->textures, key) : NULL;
    Py_XINCREF(obj);
    if (obj && remove && PyDict_DelItem(a->textures, key) < 0)
        PyErr_Clear();
    Py_XDECREF(key);
    return obj;
}

static void a_release(void *priv, kzv_texture tex)
{
    adapter *a = priv;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *obj = take_texture(a, tex, true);
    if (obj) {
        PyObject *r = call1(a->obj, "release_texture", obj);
        if (!r)
            report(a, "release_texture", -1);
        Py_XDECREF(r);
        Py_DECREF(obj);
    } else {
        PyErr_Clear();    /* the wrapper only passes live textures: cannot happen */
    }
    PyGILState_Release(g);
}

static int a_size(void *priv, kzv_texture tex, int *w, int *h)
{
    adapter *a = priv;
    PyGILState_STATE g = PyGILState_Ensure();
    int ret = KZV_EINVAL;
    PyObject *obj = take_texture(a, tex, false);
    PyObject *r = obj ? call1(a->obj, "get_texture_size", obj) : NULL;
    if (r) {
        int ww, hh;
        if (PyTuple_Check(r) && PyArg_ParseTuple(r, "ii", &ww, &hh)) {
            *w = ww;
            *h = hh;
            ret = KZV_OK;
        } else if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "get_texture_size must return a (width, height) tuple");
        }
    }
    if (ret < 0)
        report(a, "get_texture_size", -1);
    Py_XDECREF(r);
    Py_XDECREF(obj);
    PyGILState_Release(g);
    return ret;
}

static void a_destroy(void *priv)
{
    adapter *a = priv;
    PyGILState_STATE g = PyGILState_Ensure();
    Py_XDECREF(a->textures);
    Py_XDECREF(a->obj);
    PyGILState_Release(g);
    free(a);
}

static const kzv_uploader_impl python_impl = {
    .version = KZV_UPLOADER_IMPL_VERSION,
    .name = "python",
    .upload_frame = a_upload,
    .release_texture = a_release,
    .get_texture_size = a_size,
    .destroy = a_destroy,
};

int kzvpy_pyuploader_create(kzv_uploader **out, PyObject *obj, void **handle)
{
    static const char *const need[] = { "upload_frame", "release_texture", "get_texture_size", NULL };
    for (int i = 0; need[i]; i++) {
        PyObject *m = PyObject_GetAttrString(obj, need[i]);
        int ok = m && PyCallable_Check(m);
        Py_XDECREF(m);
        if (!ok) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "gpu_uploader must be a MemoryUploader, a GLUploader or an "
                         "IGPUTextureUploader (%.100s has no %s method)", Py_TYPE(obj)->tp_name, need[i]);
            return -1;
        }
    }
    adapter *a = calloc(1, sizeof(*a));
    if (!a) {
        PyErr_NoMemory();
        return -1;
    }
    a->textures = PyDict_New();
    if (!a->textures) {
        free(a);
        return -1;
    }
    a->obj = Py_NewRef(obj);
    int err = kzv_uploader_create(out, &python_impl, a);
    if (err < 0) {
        Py_DECREF(a->textures);
        Py_DECREF(a->obj);
        free(a);
        kzvpy_raise(err, "cannot wrap the uploader", NULL);
        return -1;
    }
    *handle = a;
    return 0;
}

PyObject *kzvpy_pyuploader_texture(void *handle, kzv_texture tex)
{
    PyObject *obj = take_texture(handle, tex, false);
    if (obj)
        Py_DECREF(obj);      /* borrowed: the table keeps it until release */
    return obj;
}

void kzvpy_pyuploader_set_run(void *handle, struct kzvpy_run *run)
{
    ((adapter *)handle)->run = run;
}

int kzvpy_pyuploader_traverse(void *handle, visitproc visit, void *arg)
{
    adapter *a = handle;
    if (a) {
        Py_VISIT(a->obj);
        Py_VISIT(a->textures);
    }
    return 0;
}
