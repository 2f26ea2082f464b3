/* output/services_local.c: the local group of output services (services.h). */
#include "output/services.h"

#include <stddef.h>

const struct vgl_output_ops *const vgl_output_local_services[] = {
    NULL,
};
