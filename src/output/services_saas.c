/* output/services_saas.c: the saas group of output services (services.h): chat and
 * paging, each in its own svc_*.c file. */
#include "output/services.h"

#include <stddef.h>

#include "output/svc_util_saas.h"

const struct vgl_output_ops *const vgl_output_saas_services[] = {
    &vgl_output_github,
    &vgl_output_pagerduty,
    &vgl_output_pagerduty_incident,
    &vgl_output_pagerduty_v2,
    &vgl_output_slack,
    &vgl_output_teams,
    NULL,
};
