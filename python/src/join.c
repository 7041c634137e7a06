/*
 * kzv.join(output, parts, *, source=None, source_video_stream=-1,
 * container=None): kzv_join(), encoded segments into one file with the
 * source's other streams. The GIL is released while it copies.
 */
#include "kzvpy.h"

PyObject *kzvpy_join(PyObject *mod, PyObject *args, PyObject *kwargs)
{
    (void)mod;
    static char *kwlist[] = { "output", "parts", "source", "source_video_stream", "container", NULL };
    PyObject *output = NULL, *parts = NULL, *source = Py_None, *container = Py_None;
    int svs = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O|$OiO:join", kwlist, PyUnicode_FSConverter, &output,
                                     &parts, &source, &svs, &container))
        return NULL;
    PyObject *res = NULL, *seq = NULL, *src = NULL, *cont = NULL;
    PyObject **names = NULL;
    const char **paths = NULL;
    Py_ssize_t n = 0;
    if (PyUnicode_Check(parts) || PyBytes_Check(parts)) {
        PyErr_SetString(PyExc_TypeError, "join(): parts must be a list of paths, not one path");
        goto end;
    }
    if (!(seq = PySequence_Fast(parts, "join(): parts must be a list of paths")))
        goto end;
    n = PySequence_Fast_GET_SIZE(seq);
    names = PyMem_Calloc((size_t)n + 1, sizeof(*names));
    paths = PyMem_Calloc((size_t)n + 1, sizeof(*paths));
    if (!names || !paths) {
        PyErr_NoMemory();
        goto end;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_FSConverter(PySequence_Fast_GET_ITEM(seq, i), &names[i]))
            goto end;
        paths[i] = PyBytes_AS_STRING(names[i]);
    }
    kzv_join_settings s;
    kzv_join_default_settings(&s);
    s.source_video_stream = svs;
    if (source != Py_None) {
        if (!PyUnicode_FSConverter(source, &src))
            goto end;
        s.source = PyBytes_AS_STRING(src);
    }
    if (container != Py_None) {
        if (!PyUnicode_Check(container) || !(cont = PyUnicode_AsUTF8String(container))) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "join(): container must be a str");
            goto end;
        }
        s.container = PyBytes_AS_STRING(cont);
    }
    int err;
    char msg[1024];
    Py_BEGIN_ALLOW_THREADS
    err = kzv_join(PyBytes_AS_STRING(output), paths, (size_t)n, &s);
    snprintf(msg, sizeof(msg), "%s", kzv_join_last_error());
    Py_END_ALLOW_THREADS
    if (err < 0)
        kzvpy_raise(err, msg, NULL);
    else
        res = Py_NewRef(Py_None);
end:
    for (Py_ssize_t i = 0; names && i < n; i++)
        Py_XDECREF(names[i]);
    PyMem_Free(names);
    PyMem_Free(paths);
    Py_XDECREF(seq);
    Py_XDECREF(src);
    Py_XDECREF(cont);
    Py_DECREF(output);
    return res;
}
