/* output/services_saas.c: the saas group of output services (services.h). */
#include "output/services.h"

#include <stddef.h>

const struct vgl_output_ops *const vgl_output_saas_services[] = {
    NULL,
};
