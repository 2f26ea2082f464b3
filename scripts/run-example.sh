#!/usr/bin/env bash
# scripts/run-example.sh: the README's first command.  Installs the Debian packages,
# builds the release preset, then runs vigil's main job on the bundled example
# (examples/quickstart): validate its conf/, run its classifier test events, and classify
# every log file in examples/quickstart/logs.  Classified records go to
# out/quickstart/records.jsonl, dead letters (with the reason per schema) to
# out/quickstart/dead-letters.jsonl.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

example=examples/quickstart
out=out/quickstart
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
vigil=build-release/vigil
mkdir -p "$out"

run() {
    printf '\n$ %s\n' "$*" >&2
    "$@"
}

run "$vigil" validate --config "$example/conf"
run "$vigil" test classifier --config "$example/conf" -q
rc=0
run "$vigil" classify --config "$example/conf" --service file --resource logs \
    --dead-letters "$out/dead-letters.jsonl" "$example"/logs/* > "$out/records.jsonl" || rc=$?
# Exit 1 means some payloads matched no schema: the example has a few on purpose.
[[ $rc -le 1 ]] || exit "$rc"

printf '\nFirst classified record (%s):\n' "$out/records.jsonl"
head -n 1 "$out/records.jsonl"
printf '\nDead letters (%s), one line each with every tried schema'"'"'s reason:\n' "$out/dead-letters.jsonl"
cut -c 1-300 "$out/dead-letters.jsonl"
printf '\n%d records in %s, %d dead letters in %s\n' "$(wc -l < "$out/records.jsonl")" \
    "$out/records.jsonl" "$(wc -l < "$out/dead-letters.jsonl")" "$out/dead-letters.jsonl"
