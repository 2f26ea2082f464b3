/*
 * cli/cmd_version.c: `vigil version`.
 */
#include <stdio.h>

#include "cli/cli.h"

int vgl_cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("vigil %s\n", VGL_VERSION);
    return VGL_EXIT_OK;
}
