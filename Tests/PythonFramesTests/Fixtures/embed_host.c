/* embed_host.c: a native program that embeds Debian's libpython3.11 and runs a script in it, the way the
 * Swift service embeds its Python worker. Built by the tests with: cc embed_host.c -lpython3.11.
 * Usage: embed_host SCRIPT [ARGS...] */
#define PY_SSIZE_T_CLEAN
#include <python3.11/Python.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    PyStatus status;
    PyConfig config;
    FILE *script;
    int result;

    if (argc < 2) {
        fprintf(stderr, "usage: embed_host SCRIPT [ARGS...]\n");
        return 2;
    }
    PyConfig_InitPythonConfig(&config);
    status = PyConfig_SetBytesArgv(&config, argc - 1, argv + 1);
    if (!PyStatus_Exception(status))
        status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        fprintf(stderr, "failed to initialise Python: %s\n", status.err_msg ? status.err_msg : "unknown");
        return 1;
    }
    script = fopen(argv[1], "r");
    if (!script) {
        perror("failed to open script");
        return 1;
    }
    result = PyRun_SimpleFileExFlags(script, argv[1], 1, NULL);
    Py_FinalizeEx();
    return result == 0 ? 0 : 1;
}
