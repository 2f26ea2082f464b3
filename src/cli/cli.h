/*
 * cli/cli.h: the subcommands.  Each takes (argc, argv) with argv[0] the command name and
 * returns a process exit code (VGL_EXIT_*).
 */
#ifndef VGL_CLI_CLI_H
#define VGL_CLI_CLI_H

enum {
    VGL_EXIT_OK = 0,
    VGL_EXIT_FAIL = 1,     /* tests failed, or records were left unclassified */
    VGL_EXIT_USAGE = 2,
    VGL_EXIT_CONFIG = 3,
    VGL_EXIT_RUNTIME = 4,
};

#define VGL_EXIT_CODES_HELP                                                          \
    "exit codes: 0 ok, 1 test failures or unclassified records, 2 usage, 3 config, " \
    "4 runtime\n"

typedef int (*vgl_command_fn)(int argc, char **argv);

struct vgl_command {
    const char *name;
    vgl_command_fn fn;
    const char *help;
};

int vgl_cmd_validate(int argc, char **argv);
int vgl_cmd_classify(int argc, char **argv);
int vgl_cmd_test(int argc, char **argv);
int vgl_cmd_version(int argc, char **argv);
int vgl_cmd_alerts(int argc, char **argv);
int vgl_cmd_init(int argc, char **argv);
int vgl_cmd_output(int argc, char **argv);
int vgl_cmd_deadletters(int argc, char **argv);
int vgl_cmd_run(int argc, char **argv);

#endif
