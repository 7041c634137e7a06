/*
 * kzv.VideoDecoder's saved index and segment plans: export_index() gives the
 * frame index as bytes (kzv_decoder_export_index), import_index() uses such
 * bytes instead of scanning, plan_segments() splits the video for parallel
 * work. kzv.plan_segments() (python/kzv/_segments.py) builds on these.
 */
#include <math.h>

#include "kzvpy.h"

PyObject *kzvpy_decoder_export_index(kzvpy_Decoder *self, PyObject *unused)
{
    (void)unused;
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    size_t size = 0;
    int err;
    PyObject *res = NULL;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_export_index(self->d, NULL, 0, &size));
    if (err == KZVPY_SIGNALED)
        goto out;
    if (err < 0) {
        kzvpy_decoder_raise(self, err);
        goto out;
    }
    res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (!res)
        goto out;
    err = kzv_decoder_export_index(self->d, (uint8_t *)PyBytes_AS_STRING(res), size, &size);
    if (err < 0) {
        Py_CLEAR(res);
        kzvpy_decoder_raise(self, err);
    }
out:
    kzvpy_decoder_leave(self);
    return res;
}

/* Lock held. 0, or the kzv status (not raised). */
int kzvpy_decoder_import(kzvpy_Decoder *self, PyObject *data)
{
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
        return INT32_MIN;
    int err;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_import_index(self->d, view.buf, (size_t)view.len));
    PyBuffer_Release(&view);
    return err;
}

PyObject *kzvpy_decoder_import_index(kzvpy_Decoder *self, PyObject *data)
{
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    int err = kzvpy_decoder_import(self, data);
    PyObject *res = NULL;
    if (err == INT32_MIN || err == KZVPY_SIGNALED)
        ;
    else if (err < 0)
        kzvpy_decoder_raise(self, err);
    else
        res = Py_NewRef(Py_None);
    kzvpy_decoder_leave(self);
    return res;
}

PyObject *kzvpy_decoder_plan_segments(kzvpy_Decoder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "count", "seconds", NULL };
    PyObject *count_o = Py_None, *seconds_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OO:plan_segments", kwlist, &count_o, &seconds_o))
        return NULL;
    kzv_segment_settings s;
    kzv_segment_default_settings(&s);
    if (count_o != Py_None && seconds_o != Py_None) {
        PyErr_SetString(PyExc_ValueError, "plan_segments: give count or seconds, not both");
        return NULL;
    }
    if (count_o != Py_None) {
        long c = PyLong_AsLong(count_o);
        if (c == -1 && PyErr_Occurred())
            return NULL;
        if (c < 1 || c > INT32_MAX) {
            PyErr_Format(PyExc_ValueError, "plan_segments: count must be >= 1, not %ld", c);
            return NULL;
        }
        s.count = (int)c;
    } else if (seconds_o != Py_None) {
        double sec = PyFloat_AsDouble(seconds_o);
        if (sec == -1.0 && PyErr_Occurred())
            return NULL;
        if (!(sec > 0) || sec == HUGE_VAL) {
            PyErr_Format(PyExc_ValueError, "plan_segments: seconds must be > 0, not %R", seconds_o);
            return NULL;
        }
        s.seconds = sec;
    }
    if (kzvpy_decoder_enter(self) < 0)
        return NULL;
    PyObject *res = NULL;
    kzv_segment *seg = NULL;
    int64_t n = 0;
    int err;
    KZVPY_DECODER_CALL(self->d, err, kzv_decoder_plan_segments(self->d, &s, NULL, 0, &n));
    if (err == KZVPY_SIGNALED)
        goto out;
    if (err == KZV_OK) {
        seg = PyMem_Calloc((size_t)n, sizeof(*seg));
        if (!seg) {
            PyErr_NoMemory();
            goto out;
        }
        err = kzv_decoder_plan_segments(self->d, &s, seg, n, &n);
    }
    if (err < 0) {
        kzvpy_decoder_raise(self, err);
        goto out;
    }
    res = PyList_New((Py_ssize_t)n);
    for (int64_t i = 0; res && i < n; i++) {
        PyObject *t = Py_BuildValue("(LLddLLO)", (long long)seg[i].start, (long long)seg[i].end,
                                    seg[i].start_pts, seg[i].end_pts, (long long)seg[i].start_pts_ts,
                                    (long long)seg[i].end_pts_ts, seg[i].keyframe ? Py_True : Py_False);
        if (!t)
            Py_CLEAR(res);
        else
            PyList_SET_ITEM(res, (Py_ssize_t)i, t);
    }
out:
    PyMem_Free(seg);
    kzvpy_decoder_leave(self);
    return res;
}
