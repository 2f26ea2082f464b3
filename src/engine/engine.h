/*
 * engine/engine.h: `vigil run`, the pipeline as a service (ARCHITECTURE.md 3, "Processes,
 * not threads"; docs/run.md).
 *
 * The supervisor loads the config and the rules once, then forks N workers and one alert
 * process, serves /metrics, restarts a child that dies, and stops everything cleanly on
 * SIGTERM/SIGINT (each worker finishes and commits its batch).  On SIGHUP it checks the new
 * config and rules in a separate `vigil validate` process; a bad one is rejected and the
 * running one keeps going; a good one replaces it (the children stop cleanly, then the
 * supervisor re-executes itself).
 *
 * A worker owns a shard of the inputs (files by name hash, its own listening sockets via
 * SO_REUSEPORT) and runs frame, classify, lake, rules and store on it, each batch's alerts,
 * dead letters and source checkpoints committed in one SQLite transaction.  The alert
 * process runs the merger on its timer and the dispatcher.
 */
#ifndef VGL_ENGINE_ENGINE_H
#define VGL_ENGINE_ENGINE_H

#include <stdbool.h>

struct vgl_engine_opts {
    const char *conf_dir;
    int workers;          /* 0: the workers setting, else one per core */
    bool once;            /* stop when the inputs are drained and nothing is due */
    int argc;             /* the command line, for re-executing on SIGHUP */
    char **argv;
};

/* Runs the supervisor; returns the process exit code (VGL_EXIT_*). */
int vgl_engine_run(const struct vgl_engine_opts *opts);

#endif
