/*
 * bench/gen_cloudtrail.c: writes N CloudTrail-in-CloudWatch-Events records (about 2 KB
 * each, one JSON document per line) for the classify benchmark.  Deterministic: the same
 * N and seed give the same bytes.
 *
 * usage: gen_cloudtrail N [SEED] > records.jsonl
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 88172645463325252ull;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static const char *pick(const char *const *list, size_t n)
{
    return list[next() % n];
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_cloudtrail N [SEED] > records.jsonl\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    if (argc > 2)
        state ^= strtoull(argv[2], NULL, 10) * 0x9e3779b97f4a7c15ull;
    /* Mostly routine calls; about 1 record in 100 is a sensitive one that rules alert on,
     * closer to real trails than an even mix. */
    static const char *const events[] = {"DescribeInstances", "GetObject", "PutObject", "AssumeRole",
                                         "ConsoleLogin", "ListBuckets", "RunInstances", "DescribeVolumes",
                                         "GetCallerIdentity", "ListRoles"};
    static const char *const sensitive[] = {"DeleteTrail", "CreateUser", "UpdateFunctionCode"};
    static const char *const sources[] = {"ec2.amazonaws.com", "s3.amazonaws.com", "sts.amazonaws.com",
                                          "iam.amazonaws.com", "signin.amazonaws.com",
                                          "lambda.amazonaws.com"};
    static const char *const users[] = {"alice", "bob", "carol", "deploy-bot", "terraform", "root"};
    static const char *const regions[] = {"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"};
    for (long i = 0; i < n; i++) {
        const char *ev = next() % 100 == 0 ? pick(sensitive, 3) : pick(events, 10);
        const char *src = pick(sources, 6), *user = pick(users, 6);
        const char *region = pick(regions, 4);
        unsigned ip1 = (unsigned)(next() % 223 + 1), ip2 = (unsigned)(next() % 256),
                 ip3 = (unsigned)(next() % 256), ip4 = (unsigned)(next() % 254 + 1);
        uint64_t id = next();
        int sec = (int)(i % 60), min = (int)(i / 60 % 60), hour = (int)(i / 3600 % 24);
        printf("{\"version\":\"0\",\"id\":\"%08" PRIx64 "-b491-4cf7-a9f1-%012" PRIx64 "\","
               "\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"aws.%.*s\","
               "\"account\":\"123456789012\",\"time\":\"2026-11-20T%02d:%02d:%02dZ\","
               "\"region\":\"%s\",\"resources\":[],\"detail\":{\"eventVersion\":\"1.08\","
               "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDA%016" PRIX64 "\","
               "\"arn\":\"arn:aws:iam::123456789012:user/%s\",\"accountId\":\"123456789012\","
               "\"accessKeyId\":\"AKIA%016" PRIX64 "\",\"userName\":\"%s\",\"sessionContext\":{"
               "\"sessionIssuer\":{},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":"
               "\"2026-11-20T%02d:00:00Z\",\"mfaAuthenticated\":\"false\"}}},\"eventTime\":"
               "\"2026-11-20T%02d:%02d:%02dZ\",\"eventSource\":\"%s\",\"eventName\":\"%s\","
               "\"awsRegion\":\"%s\",\"sourceIPAddress\":\"%u.%u.%u.%u\",\"userAgent\":"
               "\"aws-cli/2.13.%d Python/3.11.4 Linux/6.1.0-13-cloud-amd64 exe/x86_64.debian.12 "
               "prompt/off command/%s\",\"requestParameters\":{\"instancesSet\":{\"items\":[{"
               "\"instanceId\":\"i-%017" PRIx64 "\"}]},\"filterSet\":{},\"includeAllInstances\":"
               "false,\"maxResults\":%d},\"responseElements\":null,\"requestID\":"
               "\"%08" PRIx64 "-1c2d-4e5f-8a9b-%012" PRIx64 "\",\"eventID\":\"%08" PRIx64
               "-2b3c-4d5e-9f0a-%012" PRIx64 "\",\"readOnly\":%s,\"resources\":[{\"accountId\":"
               "\"123456789012\",\"type\":\"AWS::EC2::Instance\",\"ARN\":\"arn:aws:ec2:%s:"
               "123456789012:instance/i-%017" PRIx64 "\"}],\"eventType\":\"AwsApiCall\","
               "\"managementEvent\":true,\"recipientAccountId\":\"123456789012\","
               "\"eventCategory\":\"Management\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\","
               "\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":"
               "\"%s.%s.amazonaws.com\"},\"additionalEventData\":{\"SignatureVersion\":\"SigV4\","
               "\"CipherSuite\":\"ECDHE-RSA-AES128-GCM-SHA256\",\"bytesTransferredIn\":%d,"
               "\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"%016" PRIx64 "%016" PRIx64
               "%016" PRIx64 "\"}}}\n",
               (uint64_t)(id >> 32), id & UINT64_C(0xffffffffffff), (int)(sizeof "s3" - 1), src, hour, min,
               sec, region, next(), user, next(), user, hour, hour, min, sec, src, ev, region, ip1, ip2,
               ip3, ip4, (int)(i % 40), ev, next() & UINT64_C(0xfffffffffffffff), (int)(next() % 1000),
               next() >> 32, next() & UINT64_C(0xffffffffffff), next() >> 32, next() & UINT64_C(0xffffffffffff),
               next() % 2 ? "true" : "false", region, next() & UINT64_C(0xfffffffffffffff), src, region,
               (int)(next() % 4096), next(), next(), next());
    }
    return 0;
}
