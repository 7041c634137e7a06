/*
 * The kzv._kzv module: types, errors, a few functions of the library, and the
 * hooks through which the Python package (kzv/__init__.py) hands the C code
 * what is easier written in Python (FrameBatch, the error reporter).
 */
#define KZVPY_IMPORT_ARRAY   /* this file defines numpy's C-API table */
#include <string.h>

#include "kzvpy.h"

PyObject *kzvpy_hook_batch;
PyObject *kzvpy_hook_report;
PyTypeObject *kzvpy_ColorType;
static PyObject *Fraction;

PyObject *kzvpy_fraction(int num, int den)
{
    if (den == 0)
        Py_RETURN_NONE;
    return PyObject_CallFunction(Fraction, "ii", num, den);
}

static PyObject *m_register(PyObject *m, PyObject *args, PyObject *kwargs)
{
    (void)m;
    static char *kwlist[] = { "frame_batch", "report", NULL };
    PyObject *batch, *report;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO:_register", kwlist, &batch, &report))
        return NULL;
    if (!PyCallable_Check(batch) || !PyCallable_Check(report)) {
        PyErr_SetString(PyExc_TypeError, "_register: callables expected");
        return NULL;
    }
    Py_XSETREF(kzvpy_hook_batch, Py_NewRef(batch));
    Py_XSETREF(kzvpy_hook_report, Py_NewRef(report));
    Py_RETURN_NONE;
}

static PyObject *m_set_log_level(PyObject *m, PyObject *arg)
{
    (void)m;
    static const char *const names[] = { "quiet", "error", "warning", "info", "debug", NULL };
    const char *s = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
    if (!s) {
        PyErr_SetString(PyExc_TypeError, "set_log_level: a level name is needed ('quiet', 'error', "
                        "'warning', 'info', 'debug')");
        return NULL;
    }
    for (int i = 0; names[i]; i++)
        if (!strcmp(s, names[i])) {
            kzv_set_log_level((kzv_log_level)(i - 1));
            Py_RETURN_NONE;
        }
    PyErr_Format(PyExc_ValueError, "unknown log level '%s'", s);
    return NULL;
}

static PyObject *m_strerror(PyObject *m, PyObject *arg)
{
    (void)m;
    long code = PyLong_AsLong(arg);
    if (code == -1 && PyErr_Occurred())
        return NULL;
    return PyUnicode_FromString(kzv_strerror((int)code));
}

static PyObject *m_error_class(PyObject *m, PyObject *arg)
{
    (void)m;
    long code = PyLong_AsLong(arg);
    if (code == -1 && PyErr_Occurred())
        return NULL;
    if (code == KZV_ENOENT)
        return Py_NewRef(PyExc_FileNotFoundError);
    return Py_NewRef(kzvpy_error_class((int)code));
}

static PyObject *m_hwaccel_types(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    PyObject *l = PyList_New(0);
    for (int i = 0; l; i++) {
        const char *n = kzv_hwaccel_type_name(i);
        if (!n)
            break;
        PyObject *s = PyUnicode_FromString(n);
        if (!s || PyList_Append(l, s) < 0)
            Py_CLEAR(l);
        Py_XDECREF(s);
    }
    return l;
}

static PyObject *m_hwaccel_probe(PyObject *m, PyObject *arg)
{
    (void)m;
    const char *name = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
    if (!name) {
        PyErr_SetString(PyExc_TypeError, "hwaccel_probe: a device type name is needed");
        return NULL;
    }
    char why[512] = "";
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = kzv_hwaccel_probe(name, why, sizeof(why));
    Py_END_ALLOW_THREADS
    if (err == KZV_EINVAL)
        return kzvpy_raise(err, "unknown hardware device type", NULL);
    return Py_BuildValue("(Os)", err == KZV_OK ? Py_True : Py_False, why);
}

static PyMethodDef module_methods[] = {
    { "join", KZVPY_KW(kzvpy_join), METH_VARARGS | METH_KEYWORDS,
      "join(output, parts, *, source=None, source_video_stream=-1, container=None)\n--\n\n"
      "Join encoded segments (same settings, one video stream each) into `output` by\n"
      "stream copy, timestamps kept, with every other stream of `source` (audio,\n"
      "subtitles, fonts, data), its chapters and metadata copied once. Written under\n"
      "a temporary name and renamed when complete." },
    { "transcode", KZVPY_KW(kzvpy_transcode), METH_VARARGS | METH_KEYWORDS,
      "transcode(src, dst, fn=None, *, scale=0, process_format='rgb24', start_frame=0, start=0.0, frames=0, "
      "drop_audio=False, drop_subtitles=False, languages=None, codec=…, crf=…, …)\n--\n\n"
      "Decode src, pass every frame through fn(VideoFrame) -> VideoFrame or (H, W, C) array (any size, the "
      "same for every frame), encode into dst with src's other streams copied and every pts kept "
      "(include/kzv/transcode.h). Returns the number of frames written." },
    { "_register", KZVPY_KW(m_register), METH_VARARGS | METH_KEYWORDS, NULL },
    { "set_log_level", (PyCFunction)m_set_log_level, METH_O,
      "set_log_level(level)\n--\n\nLevel of kzv's messages on stderr: 'quiet', 'error', 'warning' (default),\n'info', 'debug'." },
    { "strerror", (PyCFunction)m_strerror, METH_O, "strerror(code)\n--\n\nText for a kzv status code." },
    { "error_class", (PyCFunction)m_error_class, METH_O,
      "error_class(code)\n--\n\nThe exception class raised for a kzv status code." },
    { "hwaccel_types", (PyCFunction)m_hwaccel_types, METH_NOARGS,
      "hwaccel_types()\n--\n\nHardware device types this FFmpeg build supports." },
    { "hwaccel_probe", (PyCFunction)m_hwaccel_probe, METH_O,
      "hwaccel_probe(name)\n--\n\n(usable, reason): whether a device of that type can be opened here." },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "kzv._kzv",
    .m_doc = "The C extension behind the kzv package (use `import kzv`).",
    .m_size = -1,
    .m_methods = module_methods,
};

static int add_type(PyObject *m, PyTypeObject *t, const char *name)
{
    if (PyType_Ready(t) < 0)
        return -1;
    return PyModule_AddObjectRef(m, name, (PyObject *)t);
}

PyMODINIT_FUNC PyInit__kzv(void);

PyMODINIT_FUNC PyInit__kzv(void)
{
    import_array();
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    PyObject *fractions = PyImport_ImportModule("fractions");
    Fraction = fractions ? PyObject_GetAttrString(fractions, "Fraction") : NULL;
    Py_XDECREF(fractions);
    if (!Fraction)
        goto fail;
    kzvpy_ColorType = PyStructSequence_NewType(&kzvpy_color_desc);
    if (!kzvpy_ColorType || PyModule_AddObjectRef(m, "Color", (PyObject *)kzvpy_ColorType) < 0)
        goto fail;
    kzvpy_MemoryUploaderType.tp_base = &kzvpy_UploaderType;
    kzvpy_GLUploaderType.tp_base = &kzvpy_UploaderType;
    if (add_type(m, &kzvpy_FrameType, "VideoFrame") < 0 ||
        add_type(m, &kzvpy_PlaneType, "FramePlane") < 0 ||
        add_type(m, &kzvpy_DecoderType, "VideoDecoder") < 0 ||
        add_type(m, &kzvpy_QueueType, "FrameQueue") < 0 ||
        add_type(m, &kzvpy_UploaderType, "Uploader") < 0 ||
        add_type(m, &kzvpy_MemoryUploaderType, "MemoryUploader") < 0 ||
        add_type(m, &kzvpy_GLUploaderType, "GLUploader") < 0 ||
        add_type(m, &kzvpy_ProcessorType, "VideoFrameProcessor") < 0 ||
        add_type(m, &kzvpy_EncoderType, "VideoEncoder") < 0 ||
        add_type(m, &kzvpy_ScalerType, "Scaler") < 0)
        goto fail;
    if (kzvpy_errors_init(m) < 0 || kzvpy_interrupt_init() < 0)
        goto fail;
    if (PyModule_AddStringConstant(m, "library_version", kzv_version()) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
