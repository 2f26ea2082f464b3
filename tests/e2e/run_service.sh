#!/usr/bin/env bash
# tests/e2e/run_service.sh: `vigil run` through the real binary.
#   1. a directory, a tailed file (with rotation), syslog over UDP and TCP and HTTP ingest
#      to alerts delivered at a loopback HTTP sink; the lake, dead letters, /metrics;
#   2. hostile input on every source: invalid UTF-8, binary, a 100 MB line, a flood,
#      oversize and unauthenticated HTTP requests: dead letters or 4xx, never a crash;
#   3. SIGHUP with a broken config keeps the old one running;
#   4. kill -9 of one worker, and of vigil run itself, in the middle of a large input, then
#      a restart: every expected alert exactly once, every record processed;
#   5. `vigil deadletters list|replay` after a config fix.
#
# usage: run_service.sh VIGIL SOURCE_DIR
set -uo pipefail
vigil=$1
src=$2
py=/usr/bin/python3
[[ -x $py ]] || py=python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vgl-run.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    [[ -n ${VGL_KEEP_TMP:-} ]] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$py" "$src/tests/tools/http_sink.py" --log "$tmp/sink.jsonl" --port-file "$tmp/sink.port" > /dev/null &
pids+=($!)
for _ in $(seq 100); do [[ -s $tmp/sink.port ]] && break; sleep 0.05; done
sink="http://127.0.0.1:$(cat "$tmp/sink.port")"

setup_project() {   # $1: project dir
    local p=$1
    cp -r "$src/tests/data/run_project" "$p"
    mkdir -p "$p/incoming" "$p/tail" "$p/conf/clusters"   # (git keeps no empty folder)
    syslog_port=$(free_port)
    http_port=$(free_port)
    metrics_port=$(free_port)
    cat > "$p/conf/clusters/test.json" <<JSON
{"classifier_config": {},
 "data_sources": {
   "file": {"incoming": ["app"], "tail/app.log": ["app"]},
   "syslog": {"udp://127.0.0.1:$syslog_port": ["app"], "tcp://127.0.0.1:$syslog_port": ["app"]},
   "kinesis": {"stream": ["app"]},
   "http": {"events": ["app"]}
 }}
JSON
    cat > "$p/conf/vigil.json" <<JSON
{"data_dir": "data", "http_listen": "127.0.0.1:$http_port", "metrics_listen": "127.0.0.1:$metrics_port",
 "delivery_retry_base_ms": 200, "delivery_retry_max_ms": 400, "lake_roll_s": 1,
 "max_record_bytes": 1048576, "http_max_body_bytes": 65536, "merge_interval_s": 1}
JSON
}

count_requests() { local n=0; [[ -f $tmp/sink.jsonl ]] && n=$(grep -c "$1" "$tmp/sink.jsonl"); echo "${n:-0}"; }
wait_for() {   # seconds, then a shell condition (evaluated each time); true when it holds in time
    local t=$1
    shift
    for _ in $(seq $((t * 20))); do eval "$*" && return 0; sleep 0.05; done
    return 1
}
alerts_in_store() {
    "$py" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from alerts").fetchone()[0])' \
        "$1/data/alerts.sqlite3" 2>/dev/null || echo 0
}

export VIGIL_CREDENTIALS_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
export VIGIL_INGEST_TOKEN=s3cret-token

# ---- 1. every source to the sink -----------------------------------------------------------
p=$tmp/p1
setup_project "$p"
echo "{\"url\": \"$sink/hook\"}" | "$vigil" output set-credentials webhook:sink --config "$p/conf" > /dev/null
for i in $(seq 1 50); do
    a=read; (( i % 10 == 0 )) && a=alert
    echo "{\"seq\": $i, \"user\": \"u$i\", \"action\": \"$a\"}"
done > "$p/incoming/batch1.jsonl"
printf '{"seq": 900, "user": "dir", "action": "alert"}\n' | gzip > "$p/incoming/batch2.jsonl.gz"
echo '{"seq": 1000, "user": "t1", "action": "alert"}' > "$p/tail/app.log"
"$vigil" run --config "$p/conf" --workers 2 > "$tmp/run1.out" 2> "$tmp/run1.err" &
run_pid=$!
pids+=($run_pid)
wait_for 20 'curl -sf "http://127.0.0.1:$http_port/healthz" -o /dev/null' && ok || bad "HTTP ingest came up: $(tail -5 "$tmp/run1.err")"
# the tailed file grows, then rotates
echo '{"seq": 1001, "user": "t2", "action": "alert"}' >> "$p/tail/app.log"
sleep 0.5
mv "$p/tail/app.log" "$p/tail/app.log.1"
echo '{"seq": 1002, "user": "t3", "action": "alert"}' >> "$p/tail/app.log.1"   # written before the reopen
echo '{"seq": 1003, "user": "t4", "action": "alert"}' > "$p/tail/app.log"
# syslog over UDP and TCP
"$py" - "$syslog_port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'<13>Dec  6 01:02:03 host1 app[12]: ALERT from udp', ('127.0.0.1', port))
t = socket.create_connection(('127.0.0.1', port))
msg = b'<13>1 2026-12-06T01:02:03.5Z host2 app 12 ID1 [x@1 a="b"] ALERT from tcp'
t.sendall(b'%d ' % len(msg) + msg + b'<13>Dec  6 01:02:04 host2 app[1]: ALERT newline framed\n')
time.sleep(0.3)
t.close()
PY
# HTTP ingest: kinesis and http sources, token required
code=$(curl -s -o "$tmp/h1" -w '%{http_code}' -H "Authorization: Bearer s3cret-token" \
    --data-binary $'{"seq": 2000, "user": "h1", "action": "alert"}\n{"seq": 2001, "user": "h2", "action": "read"}' \
    "http://127.0.0.1:$http_port/ingest/kinesis/stream")
[[ $code == 200 ]] && ok || bad "HTTP ingest 200: $code $(cat "$tmp/h1")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer s3cret-token" -H "X-Request-Id: req-1" \
    --data-binary '{"seq": 2002, "user": "h3", "action": "alert"}' "http://127.0.0.1:$http_port/ingest/http/events")
[[ $code == 200 ]] && ok || bad "HTTP ingest on the http service: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary 'x' "http://127.0.0.1:$http_port/ingest/http/events")
[[ $code == 401 ]] && ok || bad "no token: 401, got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer s3cret-token" --data-binary 'x' \
    "http://127.0.0.1:$http_port/ingest/nope/nope")
[[ $code == 404 ]] && ok || bad "unknown source: 404, got $code"
head -c 200000 /dev/zero | tr '\0' 'a' > "$tmp/big.txt"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer s3cret-token" --data-binary @"$tmp/big.txt" \
    "http://127.0.0.1:$http_port/ingest/http/events")
[[ $code == 413 ]] && ok || bad "over the body cap: 413, got $code"
# hostile payloads: invalid UTF-8, binary, a rule error, a 100 MB line (over max_record_bytes)
printf '{"seq": 3000, "user": "\xff\xfe", "action": "alert"}\n\x00\x01\x02binary\n{"seq": 3001, "user": "x", "action": "read"}\n' \
    > "$p/incoming/hostile.jsonl"
head -c 100000000 /dev/zero | tr '\0' 'b' >> "$p/incoming/hostile.jsonl"
printf '\n{"seq": 3002, "user": "after", "action": "alert"}\n' >> "$p/incoming/hostile.jsonl"
# hostile input over the network: binary and invalid UTF-8 through HTTP ingest, a 2 MB
# syslog frame over TCP (over max_record_bytes) followed by a good message
code=$(printf '\xff\xfe\x00binary\n{"seq": 2500, "user": "\xc3\x28", "action": "alert"}\n' |
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer s3cret-token" --data-binary @- \
    "http://127.0.0.1:$http_port/ingest/kinesis/stream")
[[ $code == 200 ]] && ok || bad "binary over HTTP ingest: 200 (dead letters), got $code"
"$py" - "$syslog_port" <<'PY'
import socket, sys, time
t = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
t.sendall(b'<13>Dec 06 01:02:03 host3 app: ' + b'x' * 2000000 + b'\n')
t.sendall(b'<13>Dec 06 01:02:05 host3 app: ALERT after oversize\n')
time.sleep(0.3)
t.close()
PY
# a flood of UDP datagrams
"$py" - "$syslog_port" <<'PY'
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5000):
    u.sendto(b'<13>Dec  6 01:02:03 host1 app[12]: flood %d' % i, ('127.0.0.1', int(sys.argv[1])))
PY
# expected alerts: 5 (dir) + 1 (gz) + 4 (tail) + 4 (syslog) + 2 (kinesis/http) + 1 (after the big line)
want=17
wait_for 30 '[[ $(count_requests "\"path\": \"/hook\"") -ge $want ]]' && ok || bad "alerts at the sink: $(count_requests '"path": "/hook"') of $want"
sleep 1
[[ $(alerts_in_store "$p") -eq $want ]] && ok || bad "alerts in the store: $(alerts_in_store "$p") of $want"
"$py" - "$tmp/sink.jsonl" <<'PY' && ok || bad "the alerts of every source were delivered"
import json, sys
seqs, messages = set(), []
for line in open(sys.argv[1]):
    req = json.loads(line)
    if req['path'] != '/hook':
        continue
    rec = json.loads(req['body'])['record']
    seqs.add(rec.get('seq'))
    messages.append(rec.get('message', ''))
want = {1001, 1002, 1003, 900, 2000, 2002, 3002}
syslog = sorted(m for m in messages if 'ALERT' in m)
print('seqs missing:', sorted(want - seqs), 'syslog alerts:', syslog)
sys.exit(0 if want <= seqs and syslog == ['ALERT after oversize', 'ALERT from tcp', 'ALERT from udp',
                                          'ALERT newline framed'] else 1)
PY
curl -s "http://127.0.0.1:$metrics_port/metrics" > "$tmp/metrics.txt"
grep -q '^vigil_records_in_total [1-9]' "$tmp/metrics.txt" && ok || bad "metrics: records in: $(head -5 "$tmp/metrics.txt")"
grep -q 'vigil_records_classified_total{log_type="app:event"} [1-9]' "$tmp/metrics.txt" && ok || bad "metrics: classified per log type"
grep -q 'vigil_dead_letters_total{reason="unclassified"} [1-9]' "$tmp/metrics.txt" && ok || bad "metrics: dead letters"
grep -q 'vigil_rule_calls_total{rule="bad_action"} [1-9]' "$tmp/metrics.txt" && ok || bad "metrics: rule calls"
grep -q 'vigil_deliveries_total{result="sent"} [1-9]' "$tmp/metrics.txt" && ok || bad "metrics: deliveries"
for r in unclassified oversize rule_error; do
    "$vigil" deadletters list --config "$p/conf" --json --reason $r > "$tmp/dl.$r" 2>&1
done
grep -q 'hostile.jsonl' "$tmp/dl.unclassified" && grep -qF '\\xff\\xfe' "$tmp/dl.unclassified" && ok || bad "dead letters: invalid UTF-8 kept: $(head -c 600 "$tmp/dl.unclassified")"
grep -q '"bytes":100000000' "$tmp/dl.oversize" && ok || bad "dead letters: oversize: $(cat "$tmp/dl.oversize")"
grep -q '"service":"syslog".*"bytes":20000' "$tmp/dl.oversize" && ok || bad "dead letters: the oversize syslog frame"
grep -q '"service":"kinesis".*"payload":"\\\\xff\\\\xfe' "$tmp/dl.unclassified" && ok || bad "dead letters: binary from HTTP ingest kept: $(grep kinesis "$tmp/dl.unclassified" | head -c 400)"
grep -q "rule 'fragile': the rule raised: IndexError" "$tmp/dl.rule_error" && ok || bad "dead letters: rule error: $(cat "$tmp/dl.rule_error")"
kill -0 $run_pid 2>/dev/null && ok || bad "vigil run survived the hostile input"

# ---- 3. SIGHUP with a broken config keeps the old one --------------------------------------
cp "$p/conf/schemas/app.json" "$tmp/app.json.good"
echo '{"broken": ' > "$p/conf/schemas/app.json"
kill -HUP $run_pid
sleep 1.5
grep -q "SIGHUP: the new config or rules are invalid" "$tmp/run1.err" && ok || bad "SIGHUP rejected: $(tail -3 "$tmp/run1.err")"
before=$(count_requests '"path": "/hook"')
echo '{"seq": 4000, "user": "hup", "action": "alert"}' > "$p/incoming/after_hup.jsonl"
wait_for 15 '[[ $(count_requests "\"path\": \"/hook\"") -gt $before ]]' && ok || bad "the old config keeps running after a bad SIGHUP"
cp "$tmp/app.json.good" "$p/conf/schemas/app.json"

# ---- 4a. kill -9 of one worker -------------------------------------------------------------
"$py" - "$p/incoming/large1.jsonl" 100000 <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        f.write('{"seq": %d, "user": "k%d", "action": "%s"}\n' % (10000 + i, i, 'alert' if i % 100 == 0 else 'read'))
PY
sleep 0.3
worker=$(pgrep -P $run_pid | head -1)
[[ -n $worker ]] && kill -9 "$worker"
wait_for 60 '[[ $(alerts_in_store "$p") -ge $((want + 1 + 1000)) ]]' && ok || bad "after a worker kill: $(alerts_in_store "$p") alerts"
sleep 2
[[ $(alerts_in_store "$p") -eq $((want + 1 + 1000)) ]] && ok || bad "exactly $((want + 1001)) alerts: $(alerts_in_store "$p")"
grep -q "worker [0-9] died" "$tmp/run1.err" && ok || bad "worker restart logged"
kill -TERM $run_pid
wait $run_pid
[[ $? -eq 0 ]] && ok || bad "SIGTERM: clean exit"

# ---- 4b. kill -9 of vigil run in the middle of a large input, then a restart ---------------
p2=$tmp/p2
setup_project "$p2"
echo "{\"url\": \"$sink/hook2\"}" | "$vigil" output set-credentials webhook:sink --config "$p2/conf" > /dev/null
# pieces of 1 MiB: each 8 MB file is read by both workers, piece by piece, when killed
sed -i 's/^{"data_dir": "data",/{"data_dir": "data", "dir_piece_bytes": 1048576,/' "$p2/conf/vigil.json"
grep -q '"dir_piece_bytes": 1048576' "$p2/conf/vigil.json" && ok || bad "piece size set for 4b"
"$py" - "$p2/incoming" <<'PY'
import os, sys
for n in range(4):
    with open(os.path.join(sys.argv[1], 'part%d.jsonl' % n), 'w') as f:
        for i in range(150000):
            seq = n * 150000 + i
            f.write('{"seq": %d, "user": "k%d", "action": "%s"}\n' % (seq, seq, 'alert' if seq % 100 == 7 else 'read'))
PY
"$vigil" run --config "$p2/conf" --workers 2 > /dev/null 2> "$tmp/run2.err" &
run2=$!
pids+=($run2)
wait_for 30 '[[ $(alerts_in_store "$p2") -gt 0 ]]'
kill -9 $run2
wait $run2 2>/dev/null
sleep 0.5
mid=$(alerts_in_store "$p2")
[[ $mid -gt 0 && $mid -lt 6000 ]] && ok || bad "killed in the middle: $mid alerts stored"
pgrep -f "vigil run --config $p2/conf" > /dev/null && bad "children outlived kill -9 of vigil run" || ok
timeout 120 "$vigil" run --config "$p2/conf" --workers 2 --once > /dev/null 2> "$tmp/run3.err"
[[ $? -eq 0 ]] && ok || bad "restart with --once: $(tail -5 "$tmp/run3.err")"
[[ $(alerts_in_store "$p2") -eq 6000 ]] && ok || bad "after kill -9 and restart: $(alerts_in_store "$p2") alerts, want exactly 6000"
"$py" - "$p2/data" <<'PY' && ok || bad "every record processed (lake) and no alert lost"
import glob, gzip, json, os, sys
seen = set()
for f in glob.glob(os.path.join(sys.argv[1], 'lake', 'app_event', 'dt=*', '*.jsonl.gz')):
    for line in gzip.open(f, 'rt'):
        seen.add(json.loads(line)['seq'])
missing = set(range(600000)) - seen
print('lake: %d distinct records, %d missing' % (len(seen), len(missing)))
sys.exit(1 if missing else 0)
PY

# ---- 5. dead letters replayed after a config fix -------------------------------------------
p3=$tmp/p3
setup_project "$p3"
echo "{\"url\": \"$sink/hook3\"}" | "$vigil" output set-credentials webhook:sink --config "$p3/conf" > /dev/null
echo '{"seq": 5000, "user": "new", "action": "alert", "extra": "field"}' > "$p3/incoming/new_field.jsonl"
timeout 60 "$vigil" run --config "$p3/conf" --workers 1 --once > /dev/null 2> "$tmp/run4.err"
"$vigil" deadletters list --config "$p3/conf" > "$tmp/dl3" 2>&1
grep -q "unclassified" "$tmp/dl3" && ok || bad "the new field is dead-lettered: $(cat "$tmp/dl3")"
sed -i 's/"action": "string"}/"action": "string", "extra": "string"}/' "$p3/conf/schemas/app.json"
"$vigil" deadletters replay --config "$p3/conf" > "$tmp/replay" 2>&1
grep -q "replayed 1 dead letter: 1 went through (1 new alert)" "$tmp/replay" && ok || bad "replay: $(cat "$tmp/replay")"
"$vigil" deadletters replay --config "$p3/conf" > "$tmp/replay2" 2>&1
grep -q "replayed 0 dead letters" "$tmp/replay2" && ok || bad "a second replay finds nothing: $(cat "$tmp/replay2")"
[[ $(alerts_in_store "$p3") -eq 1 ]] && ok || bad "replayed alert stored once"

echo "vigil run: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
