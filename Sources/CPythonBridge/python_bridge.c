#include "python_bridge.h"

#define PY_SSIZE_T_CLEAN
#include <python3.11/Python.h>
#include <stdio.h>
#include <string.h>

static PyObject *flamelab_module; /* strong reference, owned for the process lifetime */
static PyInterpreterState *flamelab_interpreter;
/* One thread state per calling thread, kept for the thread's lifetime. PyGILState_Ensure/Release would
 * create and free a thread state on every call, so a profiler reading the interpreter's thread list
 * (the BPF Python walker) would race with freed memory. Request threads are pooled and long-lived. */
static __thread PyThreadState *flamelab_thread_state;
static char flamelab_version[32];

static void flamelab_py_format_error(const char *what, char *err, size_t err_len) {
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    const char *reason = "unknown Python error";
    PyObject *text = value ? PyObject_Str(value) : NULL;
    if (text)
        reason = PyUnicode_AsUTF8(text);
    snprintf(err, err_len, "%s: %s", what, reason ? reason : "unprintable Python error");
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
}

static int flamelab_py_initialize(char *err, size_t err_len) {
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    /* Debian's layout, independent of whichever python3 is first on PATH (pyenv here). */
    PyStatus status = PyConfig_SetBytesString(&config, &config.home, "/usr");
    if (!PyStatus_Exception(status))
        status = PyConfig_SetBytesString(&config, &config.program_name, "/usr/bin/python3.11");
    config.install_signal_handlers = 0; /* the Swift host owns SIGINT/SIGTERM */
    config.parse_argv = 0;
    config.use_environment = 0;          /* no PYTHONPATH/PYTHONHOME surprises from the caller */
    if (!PyStatus_Exception(status))
        status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        snprintf(err, err_len, "failed to initialise Python: %s", status.err_msg ? status.err_msg : "unknown");
        return -1;
    }
    return 0;
}

int flamelab_py_start(const char *module_dir, const char *module_name, char *err, size_t err_len) {
    if (flamelab_module) {
        snprintf(err, err_len, "failed to start Python: already started");
        return -1;
    }
    if (flamelab_py_initialize(err, err_len) != 0)
        return -1;
    snprintf(flamelab_version, sizeof flamelab_version, "%s", Py_GetVersion());
    char *space = strchr(flamelab_version, ' ');
    if (space)
        *space = '\0';

    PyObject *sys_path = PySys_GetObject("path"); /* borrowed */
    PyObject *dir = PyUnicode_FromString(module_dir);
    if (!sys_path || !dir || PyList_Insert(sys_path, 0, dir) != 0) {
        Py_XDECREF(dir);
        flamelab_py_format_error("failed to extend sys.path", err, err_len);
        PyEval_SaveThread();
        return -1;
    }
    Py_DECREF(dir);
    flamelab_module = PyImport_ImportModule(module_name);
    int rc = 0;
    if (!flamelab_module) {
        char what[256];
        snprintf(what, sizeof what, "failed to import Python module %s from %s", module_name, module_dir);
        flamelab_py_format_error(what, err, err_len);
        rc = -1;
    }
    flamelab_interpreter = PyInterpreterState_Get();
    /* Release the GIL: request threads take it per call. */
    PyEval_SaveThread();
    return rc;
}

int flamelab_py_call_long(const char *function, long long arg, long long *result, char *err, size_t err_len) {
    if (!flamelab_module) {
        snprintf(err, err_len, "failed to call Python %s: interpreter not started", function);
        return -1;
    }
    if (!flamelab_thread_state)
        flamelab_thread_state = PyThreadState_New(flamelab_interpreter);
    PyEval_RestoreThread(flamelab_thread_state);
    int rc = -1;
    PyObject *callable = PyObject_GetAttrString(flamelab_module, function);
    PyObject *value = callable ? PyObject_CallFunction(callable, "L", arg) : NULL;
    if (value && PyLong_Check(value)) {
        *result = PyLong_AsLongLong(value);
        rc = PyErr_Occurred() ? -1 : 0;
    }
    if (rc != 0) {
        char what[256];
        snprintf(what, sizeof what, "failed to call Python %s", function);
        if (PyErr_Occurred())
            flamelab_py_format_error(what, err, err_len);
        else
            snprintf(err, err_len, "%s: result is not an int", what);
    }
    Py_XDECREF(value);
    Py_XDECREF(callable);
    PyEval_SaveThread();
    return rc;
}

const char *flamelab_py_version(void) { return flamelab_version; }
