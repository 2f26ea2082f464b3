#!/usr/bin/env bash
# bench/bench_rules.sh: classify + rules throughput.  Generates CloudTrail-in-CloudWatch-
# Events records and runs `vigil classify --rules` with bench/rules/ (50 rules that apply to
# every record), then the same number of osquery-like records that no rule subscribes to
# (they must go at classify speed: no Python dict is built for them).
#
# usage: bench/bench_rules.sh [BUILD_DIR] [RECORDS]   (defaults: build-release, 200000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build-release}
n=${2:-200000}
[ -x "$build/vigil" ] || { echo "no vigil binary in $build" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/gen_cloudtrail" "$n" > "$tmp/ct.jsonl"
# osquery differential results: a log type with no rules.
python3 - "$n" > "$tmp/osq.jsonl" <<'PY'
import json, sys
n = int(sys.argv[1])
for i in range(n):
    print(json.dumps({"name": "pack_it_processes", "hostIdentifier": "host-%d" % (i % 500),
                      "calendarTime": "Fri Nov 20 08:16:01 2026 UTC", "unixTime": 1795248961 + i,
                      "epoch": 0, "counter": i, "numerics": False,
                      "decorations": {"host_uuid": "4C4C4544-0042-3510-8044-%012d" % i},
                      "columns": {"pid": str(i), "cmdline": "/usr/bin/python3 worker.py --id %d" % i,
                                  "username": "svc", "path": "/usr/bin/python3"},
                      "action": "added"}, separators=(",", ":")))
PY
run() {
    local label=$1 file=$2
    shift 2
    local bytes
    bytes=$(stat -c %s "$file")
    /usr/bin/time -f '%e %U %M' -o "$tmp/time" "$build/vigil" classify --no-progress \
        --config "$here/conf" --service kinesis --resource bench_stream "$@" "$file" \
        > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    read -r secs user rss < "$tmp/time"
    awk -v l="$label" -v n="$n" -v b="$bytes" -v s="$secs" -v u="$user" -v r="$rss" 'BEGIN {
        printf "%-34s %8.0f records/s %7.1f MB/s  (%.2f s wall, %.2f s user, peak RSS %.1f MB)\n",
               l, n / s, b / s / 1e6, s, u, r / 1024 }'
}
cat "$tmp/ct.jsonl" "$tmp/osq.jsonl" > /dev/null
echo "$n records per run"
run "cloudtrail, classify only" "$tmp/ct.jsonl"
run "cloudtrail, classify + 50 rules" "$tmp/ct.jsonl" --rules
run "osquery (no rules), classify only" "$tmp/osq.jsonl"
run "osquery (no rules), with --rules" "$tmp/osq.jsonl" --rules
grep -E 'alerts' "$tmp/err" || true
