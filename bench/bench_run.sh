#!/usr/bin/env bash
# bench/bench_run.sh: `vigil run` end to end, on generated CloudTrail-in-CloudWatch-Events
# records (about 1.8 KB each) with the 50 benchmark rules of bench/rules (issue 3's set: each
# applies to every record) plus one probe rule.
#
#   1. throughput: RECORDS records in 8 files in a directory source, `vigil run --once` with
#      1 and with 2 workers: records/s and MB/s (whole process: start-up, Python import of the
#      rules, the lake, the alert store, exit).  The workers share the files piece by piece.
#   2. latency: records appended to a tailed file at RATE records/s (below saturation); one
#      in 100 is a probe carrying its write time, which a probe rule alerts on.  A reader polls
#      the alert store every 2 ms and reports arrival -> stored-alert latency (p50, p99, max).
#
# usage: bench/bench_run.sh [BUILD_DIR] [RECORDS] [RATE] [SECONDS]
#        (defaults: build-release, 400000, 5000, 10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build-release}
n=${2:-400000}
rate=${3:-5000}
secs=${4:-10}
[ -x "$build/vigil" ] || { echo "no vigil binary in $build" >&2; exit 2; }
py=/usr/bin/python3
[ -x $py ] || py=python3
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT

project() {   # $1: dir, $2: the data source resource
    mkdir -p "$1/rules" "$1/incoming"
    cp -r "$here/conf" "$1/conf"
    cp "$here"/rules/*.py "$1/rules/"
    # their alerts go to the stdout output (to /dev/null here): delivery stays cheap and local
    sed -i 's/"slack:security"/"stdout:null"/' "$1"/rules/*.py
    cat > "$1/rules/probe.py" <<'PY'
from streamalert.shared.rule import rule

@rule(logs=["cloudwatch:events"], outputs=["stdout:null"])
def latency_probe(rec):
    """Alerts on the probes of bench_run.sh."""
    return rec["detail"].get("eventName") == "LatencyProbe"
PY
    cat > "$1/conf/clusters/bench.json" <<JSON
{"classifier_config": {}, "data_sources": {"file": {"$2": ["cloudwatch"]}}}
JSON
    echo '{"stdout": ["null"]}' > "$1/conf/outputs.json"
    echo '{"data_dir": "data", "log_level": "error", "http_listen": "", "metrics_listen": ""}' > "$1/conf/vigil.json"
}

# ---- 1. throughput --------------------------------------------------------------------------
"$build/bench/gen_cloudtrail" "$n" > "$tmp/ct.jsonl"
bytes=$(stat -c %s "$tmp/ct.jsonl")
mkdir -p "$tmp/files"
split -n l/8 -d "$tmp/ct.jsonl" "$tmp/files/part"
for w in 1 2; do
    p=$tmp/w$w
    project "$p" incoming
    cp "$tmp"/files/part* "$p/incoming/"
    start=$(date +%s.%N)
    VIGIL_ONCE_IDLE_MS=200 /usr/bin/time -f '%e %M' -o "$tmp/time" \
        "$build/vigil" run --config "$p/conf" --workers $w --once > /dev/null 2> "$tmp/err$w" ||
        { cat "$tmp/err$w" >&2; exit 1; }
    read -r wall rss < "$tmp/time"
    records=$("$py" -c 'import glob,gzip,sys; print(sum(1 for f in glob.glob(sys.argv[1]+"/data/lake/cloudwatch_events/*/*.gz") for _ in gzip.open(f)))' "$p")
    awk -v w=$w -v n="$n" -v r="$records" -v b="$bytes" -v s="$wall" -v m="$rss" 'BEGIN {
        printf "vigil run, %d worker%s: %8.0f records/s %6.1f MB/s (%d records in %.2f s, %d in the lake, peak RSS %.0f MB per process)\n",
               w, (w > 1 ? "s" : ""), n / s, b / s / 1e6, n, s, r, m / 1024 }'
    rm -rf "$p"
done

# ---- 2. latency -----------------------------------------------------------------------------
p=$tmp/lat
project "$p" tail.log
: > "$p/tail.log"
"$build/vigil" run --config "$p/conf" --workers 2 > /dev/null 2> "$tmp/errlat" &
run=$!
sleep 1.5
"$py" - "$tmp/ct.jsonl" "$p/tail.log" "$p/data/alerts.sqlite3" "$rate" "$secs" <<'PY'
import json, os, sqlite3, sys, threading, time
src, out, db_path, rate, secs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
lines = []
with open(src) as f:
    for i, line in enumerate(f):
        if i >= rate * secs:
            break
        lines.append(json.loads(line))
latencies, done = [], threading.Event()

def reader():
    last_rowid, quiet_since = 0, None
    db = sqlite3.connect(db_path, timeout=5)
    while True:
        now = time.time_ns()
        rows = db.execute("SELECT rowid, fields FROM alerts WHERE rowid > ? AND rule_name = 'latency_probe' "
                          "ORDER BY rowid", (last_rowid,)).fetchall()
        for rowid, fields in rows:
            last_rowid = rowid
            latencies.append((now - json.loads(fields)["record"]["detail"]["vigilSentNs"]) / 1e6)
        if done.is_set():
            if rows or quiet_since is None:
                quiet_since = time.time()
            if len(latencies) >= probes or time.time() - quiet_since > 3 or time.time() > deadline:
                break
        time.sleep(0.002)

probes = sum(1 for i in range(len(lines)) if i % 100 == 0)
deadline = time.time() + secs + 30
t = threading.Thread(target=reader)
t.start()
with open(out, "a") as f:
    start = time.time()
    for i, rec in enumerate(lines):
        if i % 100 == 0:
            rec["detail"]["eventName"] = "LatencyProbe"
            rec["detail"]["vigilSentNs"] = time.time_ns()
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        f.flush()
        ahead = start + (i + 1) / rate - time.time()
        if ahead > 0:
            time.sleep(ahead)
done.set()
t.join()
latencies.sort()
def pct(q):
    return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
print("latency, record written -> alert stored (2 workers, %d records/s for %.0f s, %d probes, %d seen): "
      "p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (rate, secs, probes, len(latencies), pct(0.5), pct(0.99),
                                                 latencies[-1] if latencies else float("nan")))
PY
kill -TERM $run 2>/dev/null || true
wait $run 2>/dev/null || true
