/* output/services_local.c: the local group of output services (services.h): the AWS
 * services (svc_aws_*.c) and vigil's own webhook, file and stdout. */
#include "output/services.h"

#include <stddef.h>

extern const struct vgl_output_ops vgl_output_aws_cloudwatch_log, vgl_output_aws_firehose,
    vgl_output_aws_lambda, vgl_output_aws_lambda_v2, vgl_output_aws_s3, vgl_output_aws_ses,
    vgl_output_aws_sns, vgl_output_aws_sqs, vgl_output_file, vgl_output_stdout,
    vgl_output_webhook;

const struct vgl_output_ops *const vgl_output_local_services[] = {
    &vgl_output_aws_cloudwatch_log,
    &vgl_output_aws_firehose,
    &vgl_output_aws_lambda,
    &vgl_output_aws_lambda_v2,
    &vgl_output_aws_s3,
    &vgl_output_aws_ses,
    &vgl_output_aws_sns,
    &vgl_output_aws_sqs,
    &vgl_output_file,
    &vgl_output_stdout,
    &vgl_output_webhook,
    NULL,
};
