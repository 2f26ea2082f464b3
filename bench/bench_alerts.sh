#!/usr/bin/env bash
# bench/bench_alerts.sh: alert store and delivery throughput.
#
#   1. `vigil classify --rules --store` on generated CloudTrail records with one rule that
#      fires on every record: alerts stored per second (each with its two delivery rows,
#      SQLite WAL, synchronous=FULL, one transaction per input batch), against the same run
#      without --store;
#   2. `vigil alerts deliver` of those alerts to a webhook on a loopback HTTP server
#      (bench/http_sink_fast, which answers 200 at once) plus the local alerts archive:
#      deliveries per second, each recorded in the store as it completes.
#
# usage: bench/bench_alerts.sh [BUILD_DIR] [RECORDS]   (defaults: build-release, 20000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build-release}
n=${2:-20000}
[ -x "$build/vigil" ] || { echo "no vigil binary in $build" >&2; exit 2; }
tmp=$(mktemp -d)
sink=
trap '[ -n "$sink" ] && kill "$sink" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/p/rules"
cp -r "$here/conf" "$tmp/p/conf"
cat > "$tmp/p/rules/every.py" <<'PY'
from streamalert.shared.rule import rule

@rule(logs=["cloudwatch:events"], outputs=["webhook:sink"])
def every_record(rec):
    """Fires on every record."""
    return True
PY
echo '{"webhook": ["sink"]}' > "$tmp/p/conf/outputs.json"
echo '{"data_dir": "data", "delivery_parallel": 64}' > "$tmp/p/conf/vigil.json"
"$build/bench/gen_cloudtrail" "$n" > "$tmp/ct.jsonl"

timed() {   # label, then the command; prints "secs rss_mb"
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    read -r secs rss < "$tmp/time"
    echo "$secs $rss"
}
classify=("$build/vigil" classify --no-progress --config "$tmp/p/conf" --service kinesis
          --resource bench_stream --rules "$tmp/ct.jsonl")
read -r s0 _ < <(timed "${classify[@]}")
rm -rf "$tmp/p/data"
read -r s1 rss1 < <(timed "${classify[@]}" --store)
awk -v n="$n" -v a="$s0" -v b="$s1" -v r="$rss1" 'BEGIN {
    printf "classify + 1 rule, no store      %8.0f records/s  (%.2f s)\n", n / a, a
    printf "classify + 1 rule + store        %8.0f alerts stored/s  (%.2f s, peak RSS %.1f MB)\n", n / b, b, r / 1024
    if (b > a) printf "  store alone                    %8.0f alerts/s (%.1f us per alert)\n", n / (b - a), (b - a) / n * 1e6 }'

"$build/bench/http_sink_fast" "$tmp/port" > "$tmp/sink.out" &
sink=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
export VIGIL_CREDENTIALS_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "{\"url\": \"http://127.0.0.1:$(cat "$tmp/port")/hook\"}" |
    "$build/vigil" output set-credentials webhook:sink --config "$tmp/p/conf" > /dev/null
read -r s2 rss2 < <(timed "$build/vigil" alerts deliver --no-merge --config "$tmp/p/conf")
tail -1 "$tmp/err"
awk -v n="$n" -v s="$s2" -v r="$rss2" 'BEGIN {
    printf "deliver (webhook + archive)      %8.0f deliveries/s  (%d in %.2f s, peak RSS %.1f MB)\n", 2 * n / s, 2 * n, s, r / 1024 }'
