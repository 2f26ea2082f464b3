/*
 * Fuzz target: the config loader.  The input is split at the first NUL byte: the part
 * before it becomes conf/schemas/f.json, the part after it conf/clusters/c.json (a valid
 * cluster when there is no NUL).  Loading must either succeed or report errors; it must
 * never crash or leak.  Files go to one private temp dir reused across runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char conf[256];

static void put(const char *name, const void *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", conf, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    if (n)
        fwrite(p, 1, n, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!conf[0]) {
        char root[] = "/tmp/vglfuzzcfg.XXXXXX";
        if (!mkdtemp(root))
            abort();
        snprintf(conf, sizeof conf, "%s/conf", root);
        mkdir(conf, 0755);
        char sub[300];
        snprintf(sub, sizeof sub, "%s/schemas", conf);
        mkdir(sub, 0755);
        snprintf(sub, sizeof sub, "%s/clusters", conf);
        mkdir(sub, 0755);
        put("global.json", "{}", 2);
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t n1 = nul ? (size_t)(nul - data) : size;
    put("schemas/f.json", data, n1);
    if (nul)
        put("clusters/c.json", nul + 1, size - n1 - 1);
    else
        put("clusters/c.json", "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"s\":[\"a\",\"b\"]}}}", 67);
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(conf, &diag);
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
    return 0;
}
