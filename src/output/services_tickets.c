/* output/services_tickets.c: the tickets group of output services (services.h): the
 * ticketing and incident-response services, one ops struct per svc_*.c file. */
#include "output/services.h"

#include <stddef.h>

#include "output/svc_util_tickets.h"

const struct vgl_output_ops *const vgl_output_tickets_services[] = {
    &vgl_output_carbonblack,
    &vgl_output_demisto,
    &vgl_output_jira,
    &vgl_output_jira_v2,
    &vgl_output_komand,
    &vgl_output_phantom,
    &vgl_output_victorops,
    NULL,
};
