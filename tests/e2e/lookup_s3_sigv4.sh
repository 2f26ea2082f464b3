#!/usr/bin/env bash
# tests/e2e/lookup_s3_sigv4.sh: the s3 lookup-table driver against a real HTTP server on
# loopback that checks the AWS SigV4 signature of every request (recomputed from the
# canonical request with the test secret), serves the table object, and refuses anything
# else.  A rule alerts only if LookupTables.get returns the value from that object; a
# second table signed with the wrong secret must fail with a clear error and count as a
# rule error, not crash the run.
#
# usage: lookup_s3_sigv4.sh VIGIL
set -uo pipefail
vigil=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vgl-s3.XXXXXX")
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/server.py" <<'PY'
import hashlib, hmac, http.server, json, sys, urllib.parse

SECRET = "test-secret-key"
OBJECT = json.dumps({"123456789012": "cloud-team"}).encode()
log = open(sys.argv[1], "a")

def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def verify(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return "no sigv4 authorization header"
        parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        akid, date, region, service, term = parts["Credential"].split("/")
        if (akid, region, service, term) != ("AKIDTEST", "us-east-1", "s3", "aws4_request"):
            return "bad credential scope " + parts["Credential"]
        signed = parts["SignedHeaders"].split(";")
        for h in ("host", "x-amz-date"):
            if h not in signed:
                return "header %s not signed" % h
        amz_date = self.headers["x-amz-date"]
        payload_hash = self.headers.get("x-amz-content-sha256", hashlib.sha256(b"").hexdigest())
        path, _, query = self.path.partition("?")
        canon_headers = "".join("%s:%s\n" % (h, " ".join(self.headers[h].split())) for h in signed)
        canonical = "\n".join(["GET", path, query, canon_headers, parts["SignedHeaders"], payload_hash])
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, "%s/%s/%s/%s" % (date, region, service, term),
                             hashlib.sha256(canonical.encode()).hexdigest()])
        k = sign(("AWS4" + SECRET).encode(), date)
        for m in (region, service, term):
            k = sign(k, m)
        want = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, parts["Signature"]):
            return "signature mismatch"
        return None

    def do_GET(self):
        problem = self.verify()
        ok = problem is None and urllib.parse.unquote(self.path) == "/tables-bucket/lookup/owners.json"
        log.write("%s %s %s\n" % (self.path, "ok" if ok else "refused", problem or ""))
        log.flush()
        if ok:
            self.send_response(200)
            self.send_header("Content-Length", str(len(OBJECT)))
            self.end_headers()
            self.wfile.write(OBJECT)
        else:
            body = ("<Error><Code>SignatureDoesNotMatch</Code><Message>%s</Message></Error>" % problem).encode()
            self.send_response(403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY
python3 "$tmp/server.py" "$tmp/requests.log" > "$tmp/port" &
server_pid=$!
for _ in $(seq 50); do [[ -s $tmp/port ]] && break; sleep 0.1; done
port=$(head -n1 "$tmp/port")
[[ -n $port ]] || { echo "FAIL: the test server did not start"; exit 1; }

root=$tmp/project
mkdir -p "$root/conf/schemas" "$root/conf/clusters" "$root/rules"
cat > "$root/conf/global.json" <<'JSON'
{"account": {"prefix": "t", "aws_account_id": "1"},
 "general": {"rule_locations": ["rules"], "matcher_locations": []},
 "infrastructure": {"rule_staging": {"enabled": false}}}
JSON
echo '{"t:event": {"parser": "json", "schema": {"account": "string", "table": "string"}}}' > "$root/conf/schemas/t.json"
echo '{"classifier_config": {}, "data_sources": {"kinesis": {"stream": ["t"]}}}' > "$root/conf/clusters/c.json"
cat > "$root/conf/lookup_tables.json" <<JSON
{"enabled": true, "tables": {
  "owners": {"driver": "s3", "bucket": "tables-bucket", "key": "lookup/owners.json",
             "endpoint": "http://127.0.0.1:$port", "region": "us-east-1",
             "access_key_id": "AKIDTEST", "secret_access_key": "test-secret-key"},
  "wrong_secret": {"driver": "s3", "bucket": "tables-bucket", "key": "lookup/owners.json",
             "endpoint": "http://127.0.0.1:$port", "region": "us-east-1",
             "access_key_id": "AKIDTEST", "secret_access_key": "not-the-secret"}}}
JSON
cat > "$root/rules/owned.py" <<'PY'
from streamalert.shared.lookup_tables.core import LookupTables
from streamalert.shared.rule import rule


@rule(logs=['t:event'], outputs=['slack:chan'])
def owned_by_cloud_team(rec):
    return LookupTables.get(rec['table'], rec['account']) == 'cloud-team'
PY
printf '%s\n' '{"account": "123456789012", "table": "owners"}' '{"account": "999999999999", "table": "owners"}' \
    '{"account": "123456789012", "table": "wrong_secret"}' > "$root/in.jsonl"

"$vigil" classify --rules --no-progress --config "$root/conf" --service kinesis --resource stream \
    "$root/in.jsonl" > "$tmp/out" 2> "$tmp/err"
rc=$?
fail=0
check() { if ! grep -qF -- "$2" "$3"; then echo "FAIL: $1: $3 lacks: $2"; fail=1; fi; }
[[ $rc -eq 0 ]] || { echo "FAIL: exit $rc"; fail=1; }
[[ $(grep -c '"rule":"owned_by_cloud_team"' "$tmp/out") -eq 1 ]] || { echo "FAIL: expected exactly one alert"; fail=1; }
check "alert for the owned account" '"account":"123456789012","table":"owners"' "$tmp/out"
check "signed GET accepted" "/tables-bucket/lookup/owners.json ok" "$tmp/requests.log"
check "wrong secret refused by the server" "refused signature mismatch" "$tmp/requests.log"
check "wrong secret is a clear rule error" "HTTP 403" "$tmp/err"
if [[ $fail -ne 0 ]]; then
    echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; echo "--- server"; cat "$tmp/requests.log"
    echo "lookup s3 sigv4: 0 passed, 1 failed"
    exit 1
fi
echo "lookup s3 sigv4: 1 passed, 0 failed"
