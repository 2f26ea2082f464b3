/* output/services_tickets.c: the tickets group of output services (services.h). */
#include "output/services.h"

#include <stddef.h>

const struct vgl_output_ops *const vgl_output_tickets_services[] = {
    NULL,
};
