/*
 * output/services.h: the two groups of output services, each a NULL-terminated list the
 * registry (output.c) merges.  services_saas.c: chat and paging (slack, teams, the three
 * PagerDuty services, github); services_tickets.c: jira, jira-v2, demisto, phantom,
 * komand, victorops, carbonblack; services_local.c: the AWS services and vigil's webhook,
 * file and stdout.
 */
#ifndef VGL_OUTPUT_SERVICES_H
#define VGL_OUTPUT_SERVICES_H

#include "output/output.h"

extern const struct vgl_output_ops *const vgl_output_saas_services[];
extern const struct vgl_output_ops *const vgl_output_tickets_services[];
extern const struct vgl_output_ops *const vgl_output_local_services[];

#endif
