"""Benchmark rules: 50 rules that apply to every CloudWatch-delivered CloudTrail record.

Written for bench/bench_rules.sh; they look at the fields real CloudTrail rules look at.
"""
from streamalert.shared.rule import rule
from streamalert.shared.utils import get_first_key

LOGS = ["cloudwatch:events"]

@rule(logs=LOGS, outputs=["slack:security"])
def ct_deletetrail(rec):
    """Alert on DeleteTrail."""
    return rec["detail"].get("eventName") == "DeleteTrail"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_stoplogging(rec):
    """Alert on StopLogging."""
    return rec["detail"].get("eventName") == "StopLogging"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_updatetrail(rec):
    """Alert on UpdateTrail."""
    return rec["detail"].get("eventName") == "UpdateTrail"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_putbucketpolicy(rec):
    """Alert on PutBucketPolicy."""
    return rec["detail"].get("eventName") == "PutBucketPolicy"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_putbucketacl(rec):
    """Alert on PutBucketAcl."""
    return rec["detail"].get("eventName") == "PutBucketAcl"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_deletebucketpolicy(rec):
    """Alert on DeleteBucketPolicy."""
    return rec["detail"].get("eventName") == "DeleteBucketPolicy"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_createuser(rec):
    """Alert on CreateUser."""
    return rec["detail"].get("eventName") == "CreateUser"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_createaccesskey(rec):
    """Alert on CreateAccessKey."""
    return rec["detail"].get("eventName") == "CreateAccessKey"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_attachuserpolicy(rec):
    """Alert on AttachUserPolicy."""
    return rec["detail"].get("eventName") == "AttachUserPolicy"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_putuserpolicy(rec):
    """Alert on PutUserPolicy."""
    return rec["detail"].get("eventName") == "PutUserPolicy"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_createloginprofile(rec):
    """Alert on CreateLoginProfile."""
    return rec["detail"].get("eventName") == "CreateLoginProfile"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_updateloginprofile(rec):
    """Alert on UpdateLoginProfile."""
    return rec["detail"].get("eventName") == "UpdateLoginProfile"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_deactivatemfadevice(rec):
    """Alert on DeactivateMFADevice."""
    return rec["detail"].get("eventName") == "DeactivateMFADevice"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_deletevirtualmfadevice(rec):
    """Alert on DeleteVirtualMFADevice."""
    return rec["detail"].get("eventName") == "DeleteVirtualMFADevice"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_authorizesecuritygroupingress(rec):
    """Alert on AuthorizeSecurityGroupIngress."""
    return rec["detail"].get("eventName") == "AuthorizeSecurityGroupIngress"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_createnetworkaclentry(rec):
    """Alert on CreateNetworkAclEntry."""
    return rec["detail"].get("eventName") == "CreateNetworkAclEntry"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_disablekey(rec):
    """Alert on DisableKey."""
    return rec["detail"].get("eventName") == "DisableKey"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_schedulekeydeletion(rec):
    """Alert on ScheduleKeyDeletion."""
    return rec["detail"].get("eventName") == "ScheduleKeyDeletion"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_deleteflowlogs(rec):
    """Alert on DeleteFlowLogs."""
    return rec["detail"].get("eventName") == "DeleteFlowLogs"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_deletedetector(rec):
    """Alert on DeleteDetector."""
    return rec["detail"].get("eventName") == "DeleteDetector"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_stopconfigurationrecorder(rec):
    """Alert on StopConfigurationRecorder."""
    return rec["detail"].get("eventName") == "StopConfigurationRecorder"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_puteventselectors(rec):
    """Alert on PutEventSelectors."""
    return rec["detail"].get("eventName") == "PutEventSelectors"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_createvpcpeeringconnection(rec):
    """Alert on CreateVpcPeeringConnection."""
    return rec["detail"].get("eventName") == "CreateVpcPeeringConnection"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_modifysnapshotattribute(rec):
    """Alert on ModifySnapshotAttribute."""
    return rec["detail"].get("eventName") == "ModifySnapshotAttribute"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_modifyimageattribute(rec):
    """Alert on ModifyImageAttribute."""
    return rec["detail"].get("eventName") == "ModifyImageAttribute"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_root_activity(rec):
    """root activity."""
    return rec["detail"].get("userIdentity", {}).get("type") == "Root"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_console_login_no_mfa(rec):
    """console login no mfa."""
    return rec["detail"].get("eventName") == "ConsoleLogin" and rec["detail"].get("additionalEventData", {}).get("MFAUsed") == "No"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_access_denied(rec):
    """access denied."""
    return rec["detail"].get("errorCode") in ("AccessDenied", "UnauthorizedOperation")

@rule(logs=LOGS, outputs=["slack:security"])
def ct_unusual_region(rec):
    """unusual region."""
    return rec["region"] not in ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")

@rule(logs=LOGS, outputs=["slack:security"])
def ct_tor_exit_ip(rec):
    """tor exit ip."""
    return rec["detail"].get("sourceIPAddress", "").startswith("185.220.")

@rule(logs=LOGS, outputs=["slack:security"])
def ct_cli_from_root(rec):
    """cli from root."""
    return rec["detail"].get("userIdentity", {}).get("type") == "Root" and "aws-cli" in rec["detail"].get("userAgent", "")

@rule(logs=LOGS, outputs=["slack:security"])
def ct_assume_role_external(rec):
    """assume role external."""
    return rec["detail"].get("eventName") == "AssumeRole" and rec["detail"].get("userIdentity", {}).get("accountId") != rec["account"]

@rule(logs=LOGS, outputs=["slack:security"])
def ct_deploy_bot_write(rec):
    """deploy bot write."""
    return rec["detail"].get("userIdentity", {}).get("userName") == "deploy-bot" and rec["detail"].get("readOnly") is False and rec["detail"].get("eventSource") == "iam.amazonaws.com"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_no_tls13(rec):
    """no tls13."""
    return rec["detail"].get("tlsDetails", {}).get("tlsVersion") == "TLSv1.0"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_large_upload(rec):
    """large upload."""
    return rec["detail"].get("additionalEventData", {}).get("bytesTransferredIn", 0) > 100000000

@rule(logs=LOGS, outputs=["slack:security"])
def ct_lambda_code_update(rec):
    """lambda code update."""
    return rec["detail"].get("eventName") == "UpdateFunctionCode" and rec["detail"].get("userIdentity", {}).get("userName") not in ("terraform", "deploy-bot")

@rule(logs=LOGS, outputs=["slack:security"])
def ct_run_instances_many(rec):
    """run instances many."""
    return rec["detail"].get("eventName") == "RunInstances" and rec["detail"].get("requestParameters", {}).get("maxResults", 0) > 990

@rule(logs=LOGS, outputs=["slack:security"])
def ct_get_first_key_root(rec):
    """get first key root."""
    return get_first_key(rec, "type") == "Root" and get_first_key(rec, "invokedBy") is None

@rule(logs=LOGS, outputs=["slack:security"])
def ct_sts_get_session(rec):
    """sts get session."""
    return rec["detail"].get("eventSource") == "sts.amazonaws.com" and rec["detail"].get("eventName") == "GetSessionToken"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_signin_failure(rec):
    """signin failure."""
    return rec["detail"].get("eventSource") == "signin.amazonaws.com" and rec["detail"].get("errorMessage") == "Failed authentication"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_s3_public_acl(rec):
    """s3 public acl."""
    return "AllUsers" in str(rec["detail"].get("requestParameters", {}).get("AccessControlPolicy", ""))

@rule(logs=LOGS, outputs=["slack:security"])
def ct_kms_from_unknown_ip(rec):
    """kms from unknown ip."""
    return rec["detail"].get("eventSource") == "kms.amazonaws.com" and not rec["detail"].get("sourceIPAddress", "").startswith("10.")

@rule(logs=LOGS, outputs=["slack:security"])
def ct_iam_from_browser(rec):
    """iam from browser."""
    return rec["detail"].get("eventSource") == "iam.amazonaws.com" and "Mozilla" in rec["detail"].get("userAgent", "")

@rule(logs=LOGS, outputs=["slack:security"])
def ct_guardduty_disabled(rec):
    """guardduty disabled."""
    return rec["detail"].get("eventSource") == "guardduty.amazonaws.com" and rec["detail"].get("eventName", "").startswith("Delete")

@rule(logs=LOGS, outputs=["slack:security"])
def ct_org_leave(rec):
    """org leave."""
    return rec["detail"].get("eventName") == "LeaveOrganization"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_ec2_serial_console(rec):
    """ec2 serial console."""
    return rec["detail"].get("eventName") == "EnableSerialConsoleAccess"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_billing_change(rec):
    """billing change."""
    return rec["detail"].get("eventSource") == "billingconsole.amazonaws.com"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_resource_count(rec):
    """resource count."""
    return len(rec["detail"].get("resources", [])) > 20

@rule(logs=LOGS, outputs=["slack:security"])
def ct_session_no_mfa(rec):
    """session no mfa."""
    return rec["detail"].get("userIdentity", {}).get("sessionContext", {}).get("attributes", {}).get("mfaAuthenticated") == "false" and rec["detail"].get("eventName") == "DeleteTrail"

@rule(logs=LOGS, outputs=["slack:security"])
def ct_instance_profile_abuse(rec):
    """instance profile abuse."""
    return rec["detail"].get("userIdentity", {}).get("type") == "AssumedRole" and rec["detail"].get("sourceIPAddress", "").startswith("203.0.113.")
