/*
 * Embedding Debian's libpython3.11 in the Swift service. The C API is macro- and refcount-heavy, so
 * the service calls these few functions instead of Python.h directly.
 *
 * Threading: flamelab_py_start initialises the interpreter and releases the GIL; every call takes
 * the GIL on its own long-lived thread state (created on first use) and releases it before returning,
 * so any thread may call.
 */
#ifndef FLAMELAB_PYTHON_BRIDGE_H
#define FLAMELAB_PYTHON_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Start the interpreter, add `module_dir` to sys.path and import `module_name`.
/// Returns 0 on success; otherwise writes a message into `err` and returns -1.
int flamelab_py_start(const char *module_dir, const char *module_name, char *err, size_t err_len);

/// Call `module_name.function(arg)` (an int -> int function). Returns 0 on success.
int flamelab_py_call_long(const char *function, long long arg, long long *result, char *err, size_t err_len);

/// The interpreter's version string (e.g. "3.11.2"), or "" before start.
const char *flamelab_py_version(void);

#ifdef __cplusplus
}
#endif
#endif
