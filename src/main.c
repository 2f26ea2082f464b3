/*
 * main.c: the only main().  Global flags, then dispatch through the subcommand table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"

static const struct vgl_command commands[] = {
    {"run", vgl_cmd_run, "run the pipeline as a service: sources, workers, alerts, delivery"},
    {"validate", vgl_cmd_validate, "load and check the configuration; print every error"},
    {"classify", vgl_cmd_classify, "classify log payloads and print the records as JSON lines"},
    {"test", vgl_cmd_test, "run StreamAlert test-event files (classifier or rules mode)"},
    {"alerts", vgl_cmd_alerts, "list, show and retry stored alerts and their deliveries"},
    {"deadletters", vgl_cmd_deadletters, "list, show and replay payloads that failed in vigil run"},
    {"output", vgl_cmd_output, "store output credentials, encrypted; list which are stored"},
    {"version", vgl_cmd_version, "print the version"},
    {"init", vgl_cmd_init, "create a starter project from the schema library"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: vigil [-v|-q] [--log-level LEVEL] <command> [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\n'vigil <command> --help' describes a command.\n\n%s", VGL_EXIT_CODES_HELP);
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            vgl_log_set_level(VGL_LOG_INFO);
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            vgl_log_set_level(VGL_LOG_ERROR);
        } else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            int lv = vgl_log_level_parse(argv[++i]);
            if (lv < 0) {
                fprintf(stderr, "vigil: unknown log level '%s' (error, warn, info, debug, trace)\n",
                        argv[i]);
                return VGL_EXIT_USAGE;
            }
            vgl_log_set_level((enum vgl_log_level)lv);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            return vgl_cmd_version(0, NULL);
        } else {
            fprintf(stderr, "vigil: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return VGL_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return VGL_EXIT_USAGE;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].fn(argc - i, argv + i);
    }
    fprintf(stderr, "vigil: '%s' is not a vigil command\n", argv[i]);
    usage(stderr);
    return VGL_EXIT_USAGE;
}
