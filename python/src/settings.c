/*
 * Keyword arguments → kzv settings, shared by every constructor that opens a
 * decoder (VideoDecoder, VideoFrameProcessor, and later the encoder's
 * transcode): one parser, so the same names mean the same everywhere.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "kzvpy.h"

int kzvpy_pixfmt_from_object(PyObject *name, kzv_pixfmt *out)
{
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "format must be a str such as 'rgb24', not %.100s",
                     Py_TYPE(name)->tp_name);
        return -1;
    }
    const char *s = PyUnicode_AsUTF8(name);
    if (!s)
        return -1;
    if (!strcmp(s, "none")) {
        *out = KZV_PIXFMT_NONE;
        return 0;
    }
    kzv_pixfmt f = kzv_pixfmt_from_name(s);
    if (f == KZV_PIXFMT_NONE) {
        PyErr_Format(PyExc_ValueError, "unknown pixel format '%s' (rgb24, rgba, rgb48, yuv420p, "
                     "yuv422p, yuv444p, yuv420p10, yuv422p10, yuv444p10, nv12, p010, yuv, none)", s);
        return -1;
    }
    *out = f;
    return 0;
}

int kzvpy_timeout_ns(PyObject *timeout, int64_t *ns)
{
    if (!timeout || timeout == Py_None) {
        *ns = -1;
        return 0;
    }
    if (!PyFloat_Check(timeout) && !PyLong_Check(timeout)) {
        PyErr_Format(PyExc_TypeError, "timeout must be a number of seconds or None, not %.100s",
                     Py_TYPE(timeout)->tp_name);
        return -1;
    }
    double s = PyFloat_AsDouble(timeout);
    if (s == -1.0 && PyErr_Occurred())
        return -1;
    if (isnan(s) || s < 0) {
        PyErr_SetString(PyExc_ValueError, "timeout must be >= 0 (or None to wait forever)");
        return -1;
    }
    *ns = s >= 9.2e9 ? INT64_MAX : (int64_t)(s * 1e9);
    return 0;
}

/* Take key from kwargs: a new reference, NULL when absent (or on error). */
static PyObject *take(PyObject *kwargs, const char *key, int *err)
{
    if (!kwargs)
        return NULL;
    PyObject *v = PyDict_GetItemString(kwargs, key);
    if (!v)
        return NULL;
    Py_INCREF(v);
    if (PyDict_DelItemString(kwargs, key) < 0) {
        Py_DECREF(v);
        *err = -1;
        return NULL;
    }
    return v;
}

static int as_int64(PyObject *v, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    if (!PyLong_Check(v) || PyBool_Check(v)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s", key, Py_TYPE(v)->tp_name);
        return -1;
    }
    long long x = PyLong_AsLongLong(v);
    if (x == -1 && PyErr_Occurred())
        return -1;
    if (x < lo || x > hi) {
        PyErr_Format(PyExc_ValueError, "%s out of range: %lld", key, x);
        return -1;
    }
    *out = x;
    return 0;
}

static int as_bool(PyObject *v, bool *out)
{
    int t = PyObject_IsTrue(v);
    if (t < 0)
        return -1;
    *out = t;
    return 0;
}

/* A short name option (str or None) copied into buf; *out points at it when set. */
static int as_name(PyObject *v, const char *what, char *buf, size_t size, const char **out)
{
    if (v == Py_None)
        return 0;
    const char *s = PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
    if (!s) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "%s must be a str or None, not %.100s", what, Py_TYPE(v)->tp_name);
        return -1;
    }
    if (strlen(s) >= size) {
        PyErr_Format(PyExc_ValueError, "%s name too long", what);
        return -1;
    }
    strcpy(buf, s);
    *out = buf;
    return 0;
}

int kzvpy_decoder_opts_take(kzvpy_decoder_opts *o, PyObject *kwargs)
{
    memset(o, 0, sizeof(*o));
    kzv_decoder_default_settings(&o->s);
    int err = 0;
    PyObject *v;
    int64_t x = 0;

    if ((v = take(kwargs, "format", &err))) {
        err = kzvpy_pixfmt_from_object(v, &o->s.format);
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "threads", &err))) {
        err = as_int64(v, "threads", 0, 1024, &x);
        o->s.threads = (int)x;
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "stream_index", &err))) {
        x = -1;
        err = v == Py_None ? 0 : as_int64(v, "stream_index", -1, INT_MAX, &x);
        o->s.stream_index = (int)x;
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "hwaccel", &err))) {
        err = as_name(v, "hwaccel", o->hwaccel, sizeof(o->hwaccel), &o->s.hwaccel);
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "container", &err))) {
        err = as_name(v, "container", o->container, sizeof(o->container), &o->s.container);
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "strict", &err))) {
        err = as_bool(v, &o->s.strict);
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "keep_first_size", &err))) {
        err = as_bool(v, &o->s.keep_first_size);
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "count_frames", &err))) {
        err = as_bool(v, &o->s.count_frames);
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "max_pixels", &err))) {
        err = as_int64(v, "max_pixels", 0, INT64_MAX, &x);
        o->s.max_pixels = x;
        Py_DECREF(v);
    }
    if (!err && (v = take(kwargs, "io_timeout", &err))) {
        int64_t ns = -1;
        err = kzvpy_timeout_ns(v, &ns);
        o->s.io_timeout_ns = ns < 0 ? 0 : (ns == 0 ? 1 : ns);
        Py_DECREF(v);
    }
    return err ? -1 : 0;
}
