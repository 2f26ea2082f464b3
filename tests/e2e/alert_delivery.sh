#!/usr/bin/env bash
# tests/e2e/alert_delivery.sh: alerts from test logs to outputs, through the real binary and
# a real HTTP server on loopback (tests/tools/http_sink.py) that records every request:
#   - exact payloads: Slack with a publisher and with a community-style layout chain
#     (custom attachments, cgi.escape), a webhook with a class publisher and HMAC
#     signature, PagerDuty v2, the file output, the local alerts archive (the lake);
#   - merging over a window (merger run "later" with --now), merged alerts delivered;
#   - an output that answers 500 then recovers gets its alert exactly once;
#   - a slow output (2 s) does not hold up the others;
#   - missing credentials and an unconfigured output: clear errors for those outputs only;
#   - secrets never appear in any output; a second run sends nothing again.
#
# usage: alert_delivery.sh VIGIL SOURCE_DIR
set -uo pipefail
vigil=$1
src=$2
py=/usr/bin/python3
[[ -x $py ]] || py=python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vgl-deliver.XXXXXX")
sink_pid=
cleanup() { [[ -n $sink_pid ]] && kill "$sink_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cp -r "$src/tests/data/deliver_project" "$tmp/p"
rm -rf "$tmp/p/data"
conf=$tmp/p/conf
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cat > "$tmp/script.json" <<'JSON'
{"routes": [
  {"path": "/flaky", "responses": [{"status": 500, "body": "try later"}, {"status": 200, "body": "ok"}]},
  {"path": "/slow", "responses": [{"status": 200, "body": "ok", "delay": 2}]},
  {"path": "/pd/v2/enqueue", "responses": [{"status": 202, "body": {"status": "success", "dedup_key": "k"}}]}
 ],
 "default": {"status": 200, "body": "ok"}}
JSON
"$py" "$src/tests/tools/http_sink.py" --log "$tmp/requests.jsonl" --script "$tmp/script.json" \
    --port-file "$tmp/port" > /dev/null &
sink_pid=$!
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$tmp/port")"

cat > "$conf/vigil.json" <<JSON
{"data_dir": "data", "delivery_retry_base_ms": 300, "delivery_retry_max_ms": 600,
 "pagerduty_events_url": "$url/pd"}
JSON
export VIGIL_CREDENTIALS_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
setcred() {
    echo "$2" | "$vigil" output set-credentials "$1" --config "$conf" > "$tmp/setcred.out" 2>&1 ||
        bad "set-credentials $1: $(cat "$tmp/setcred.out")"
}
setcred slack:security "{\"url\": \"$url/slack/hook-SECRETPATH\"}"
setcred webhook:siem "{\"url\": \"$url/siem\", \"hmac_secret\": \"s3cret-hmac\"}"
setcred webhook:flaky "{\"url\": \"$url/flaky\"}"
setcred webhook:slow "{\"url\": \"$url/slow\"}"
setcred pagerduty-v2:oncall '{"routing_key": "rk-SECRET-123"}'

"$vigil" classify --rules --store --no-progress --config "$conf" --service file --resource events \
    "$tmp/p/logs/events.jsonl" > /dev/null 2> "$tmp/classify.err"
grep -q "alerts stored (new)  *7 " "$tmp/classify.err" && ok || bad "7 alerts stored: $(grep stored "$tmp/classify.err")"

# First pass: everything due goes out; the flaky output fails once.
start=$(date +%s.%N)
"$vigil" alerts deliver --no-merge --config "$conf" > "$tmp/d1.out" 2> "$tmp/d1.err"
rc=$?
end=$(date +%s.%N)
[[ $rc -eq 1 ]] && ok || bad "first deliver exits 1 while deliveries fail: $rc $(cat "$tmp/d1.err")"
grep -q "delivery to 'webhook:flaky' failed (attempt 1, retried later): output 'webhook:flaky': HTTP 500" \
    "$tmp/d1.err" && ok || bad "flaky failure logged: $(cat "$tmp/d1.err")"
grep -q "output 'webhook:nocreds': no credentials stored (run: vigil output set-credentials webhook:nocreds)" \
    "$tmp/d1.err" && ok || bad "missing credentials named: $(cat "$tmp/d1.err")"
grep -q "output 'webhook:unconfigured' is not configured in conf/outputs.json" "$tmp/d1.err" \
    && ok || bad "unconfigured output named"

# Merge "later" (after the 5 minute window), then deliver until everything that can go has.
later=$(date -u -d '+10 min' +%Y-%m-%dT%H:%M:%S)
"$vigil" alerts merge --now "$later" --config "$conf" > "$tmp/merge.out" 2>&1
grep -q "merged 3 alerts into 2 merged alerts" "$tmp/merge.out" && ok || bad "merge: $(cat "$tmp/merge.out")"
"$vigil" alerts deliver --no-merge --wait 3 --config "$conf" > "$tmp/d2.out" 2> "$tmp/d2.err"
[[ $? -eq 1 ]] && ok || bad "second deliver still exits 1 (misconfigured outputs keep failing)"
grep -q "store: 18 sent, 0 pending, 2 failed, 0 abandoned" "$tmp/d2.err" && ok || bad "final counts: $(tail -1 "$tmp/d2.err")"

# A third run sends nothing that was delivered.
before=$(wc -l < "$tmp/requests.jsonl")
"$vigil" alerts deliver --no-merge --config "$conf" > /dev/null 2> "$tmp/d3.err"
after=$(wc -l < "$tmp/requests.jsonl")
[[ $before -eq $after ]] && ok || bad "nothing re-sent: $before -> $after requests"

# Secrets appear nowhere.
for f in "$tmp"/*.err "$tmp"/*.out; do
    if grep -q -e "s3cret-hmac" -e "rk-SECRET-123" -e "SECRETPATH" "$f"; then bad "secret in $f"; else ok; fi
done
"$vigil" alerts list --json --limit 100 --config "$conf" > "$tmp/list.json" 2>&1
grep -q -e "s3cret-hmac" -e "rk-SECRET-123" -e "SECRETPATH" "$tmp/list.json" && bad "secret in alerts list" || ok

# The requests themselves, checked in Python.
"$py" - "$tmp" "$start" "$end" <<'PY'
import glob, hashlib, hmac, json, os, sqlite3, sys
tmp, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
reqs = [json.loads(l) for l in open(os.path.join(tmp, 'requests.jsonl'))]
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
by = {}
for r in reqs:
    by.setdefault(r['path'].split('/')[1], []).append(r)
check(len(by.get('flaky', [])) == 2, 'flaky: a 500 then one success: %d' % len(by.get('flaky', [])))
check(len(by.get('slow', [])) == 1, 'slow: one request')
check(len(by.get('slack', [])) == 2, 'slack: two requests')
check(len(by.get('pd', [])) == 1, 'pagerduty: one request')
check(len(by.get('siem', [])) == 3, 'siem: admin_login + 2 merged alerts: %d' % len(by.get('siem', [])))

rec = {"time": 1700000000, "user": "admin", "action": "login", "src": "10.0.0.1"}
slack = [r for r in by['slack'] if 'ADMIN LOGIN' in r['body']][0]
text = "*action:* login\n*src:* 10.0.0.1\n*time:* 1700000000\n*user:* admin"
want = {"text": "ADMIN LOGIN by admin", "mrkdwn": True, "attachments": [
    {"fallback": "ADMIN LOGIN by admin", "color": "#b22222",
     "pretext": "*Rule Description:*\nAn administrator logged in.\n", "title": "Record:",
     "text": text, "mrkdwn_in": ["text", "pretext"]}]}
check(slack['method'] == 'POST' and slack['path'] == '/slack/hook-SECRETPATH', 'slack url')
check(slack['body'] == json.dumps(want), 'slack body:\n%s\nwant\n%s' % (slack['body'], json.dumps(want)))
check(slack['headers'].get('content-type') == 'application/json', 'slack content type')

# a community-style layout: custom attachments merged over Slack's skeleton
skeleton = {"fallback": "", "color": "#36a64f", "pretext": "", "author_name": "", "author_link": "",
            "author_icon": "", "title": "", "title_link": "", "text": "", "fields": [],
            "image_url": "", "thumb_url": "", "footer": "", "footer_icon": "", "ts": "",
            "mrkdwn_in": ["text", "pretext"]}
card = dict(skeleton)
card.update({"fallback": "Rule triggered: root_shell", "color": "#ff5a5f", "title": "root_shell",
             "title_link": "https://example.com/search?q=root_shell%20path%3A/rules",
             "text": 'A root shell was opened &lt;from&gt; a "remote" host &amp; logged.', "custom": 1})
data = dict(skeleton)
data.update({"color": "#00d1c1", "title": "Alert Data:", "text": "```\n{}\n```"})
want = {"text": "Rule triggered", "mrkdwn": True, "attachments": [card, data]}
layout = [r for r in by['slack'] if 'root_shell' in r['body']]
check(len(layout) == 1 and layout[0]['body'] == json.dumps(want),
      'slack layout body:\n%s\nwant\n%s' % (layout[0]['body'] if layout else None, json.dumps(want)))

siem = [r for r in by['siem'] if '"rule":"admin_login"' in r['body']]
check(len(siem) == 1, 'siem admin_login publication')
if siem:
    body = siem[0]['body']
    check(body == json.dumps({"rule": "admin_login", "record": rec}, separators=(',', ':')),
          'webhook body: ' + body)
    sig = 'sha256=' + hmac.new(b's3cret-hmac', body.encode(), hashlib.sha256).hexdigest()
    check(siem[0]['headers'].get('x-vigil-signature') == sig, 'hmac signature')
merged = [json.loads(r['body']) for r in by['siem'] if '"AlertCount"' in r['body']]
counts = sorted(m['record']['AlertCount'] for m in merged)
check(counts == [1, 2], 'merged alert counts: %s' % counts)
for m in merged:
    if m['record']['AlertCount'] == 2:
        check(m['record']['MergedBy'] == {'user': 'bob'}, 'merged by user')
        check(m['rule_name'] == 'failed_login', 'merged rule name')

pd = json.loads(by['pd'][0]['body'])
check(by['pd'][0]['path'] == '/pd/v2/enqueue', 'pagerduty path')
check(pd['routing_key'] == 'rk-SECRET-123' and pd['event_action'] == 'trigger', 'pagerduty body')
check(pd['payload']['summary'] == 'StreamAlert Rule Triggered - delete_all', 'pagerduty summary')

# The slow output did not hold up the others: they were recorded before it finished.
db = sqlite3.connect(os.path.join(tmp, 'p', 'data', 'alerts.sqlite3'))
sent = dict(((o, s) for o, s in db.execute(
    "SELECT output, sent_us FROM deliveries WHERE output IN ('webhook:slow', 'pagerduty-v2:oncall')")))
check(sent.get('webhook:slow', 0) - sent.get('pagerduty-v2:oncall', 0) > 1500000,
      'pagerduty recorded >1.5 s before the slow output: %s' % sent)

audit = open(os.path.join(tmp, 'p', 'data', 'out', 'audit.jsonl')).read().splitlines()
check(len(audit) == 1 and json.loads(audit[0])['rule_name'] == 'admin_login', 'file output: %s' % audit)
import gzip
archive = [l for f in glob.glob(os.path.join(tmp, 'p', 'data', 'lake', 'alerts', 'dt=*', '*.jsonl.gz'))
           for l in gzip.open(f, 'rt').read().splitlines()]
check(not glob.glob(os.path.join(tmp, 'p', 'data', 'lake', 'alerts', 'dt=*', '.*')),
      'no temp files left in the lake')
check(len(archive) == 9, 'archive: 7 alerts + 2 merged alerts: %d' % len(archive))
for f in fails:
    print('FAIL:', f)
print('requests checked: %d failed' % len(fails))
sys.exit(1 if fails else 0)
PY
[[ $? -eq 0 ]] && ok || bad "request checks"

echo "alert delivery: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
