/* placeholder, replaced below */
#include "cli/cli.h"
int vgl_cmd_test(int argc, char **argv) { (void)argc; (void)argv; return VGL_EXIT_RUNTIME; }
