#!/usr/bin/env bash
# bench/bench_classify.sh: classify throughput on generated CloudTrail-in-CloudWatch-Events
# records (~2 KB each).  Prints records/s, MB/s and peak RSS of `vigil classify`.
# Not a test: run it by hand on a quiet machine.
#
# usage: bench/bench_classify.sh [BUILD_DIR] [RECORDS]   (defaults: build-release, 500000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build-release}
n=${2:-500000}
[ -x "$build/vigil" ] || { echo "no vigil binary in $build (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
[ -x "$build/bench/gen_cloudtrail" ] || { echo "no $build/bench/gen_cloudtrail" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/gen_cloudtrail" "$n" > "$tmp/in.jsonl"
bytes=$(stat -c %s "$tmp/in.jsonl")
echo "input: $n records, $bytes bytes ($(( bytes / n )) bytes/record)"
# Warm the page cache, then time the classify stage alone (output to /dev/null).
cat "$tmp/in.jsonl" > /dev/null
/usr/bin/time -f '%e %M' -o "$tmp/time" "$build/vigil" classify --no-progress \
    --config "$here/conf" --service kinesis --resource bench_stream "$tmp/in.jsonl" \
    > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
read -r secs rss < "$tmp/time"
awk -v n="$n" -v b="$bytes" -v s="$secs" -v r="$rss" 'BEGIN {
    printf "classify: %.2f s wall, %.0f records/s, %.1f MB/s, peak RSS %.1f MB\n",
           s, n / s, b / s / 1e6, r / 1024 }'
tail -n +1 "$tmp/err" | head -5
echo
echo "per stage, in process (bench_stages, best of 3):"
"$build/bench/bench_stages" "$tmp/in.jsonl" "$here/conf" kinesis bench_stream 3
