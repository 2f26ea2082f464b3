#!/usr/bin/env bash
# scripts/run-example.sh: the README's first command.  Installs the Debian packages,
# builds the release preset, then runs vigil's main job on the bundled example
# (examples/quickstart): validate its conf/, run its test events, then `vigil run` the
# pipeline as a service on a copy of the project in out/quickstart/: its logs/ directory is
# read by the workers, records are classified and archived in the lake, the rules fire, and
# the alerts are stored and delivered.  Two example rules deliver to vigil's own outputs
# (stdout and a file), so alerts show up below as they arrive; the others name Slack,
# PagerDuty and SNS outputs, which need credentials (`vigil output set-credentials`) and so
# stay pending, listed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

example=examples/quickstart
out=out/quickstart
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
vigil=$PWD/build-release/vigil

run() {
    printf '\n$ %s\n' "$*" >&2
    "$@"
}

run "$vigil" validate --config "$example/conf"
run "$vigil" test classifier --config "$example/conf" -q
run "$vigil" test rules --config "$example/conf" -q

# A fresh copy, so the example folder stays clean and each run starts from nothing.
rm -rf "$out"
mkdir -p "$out"
cp -r "$example" "$out/project"
rm -rf "$out/project/data"
conf=$out/project/conf
# The delivery failures of the outputs without credentials are expected here; show errors only.
python3 - "$conf/vigil.json" <<'PY'
import json, sys
path = sys.argv[1]
settings = json.load(open(path))
settings.update({"log_level": "error", "http_listen": "127.0.0.1:0", "metrics_listen": "127.0.0.1:0"})
json.dump(settings, open(path, "w"), indent=2)
PY

printf '\nAlerts delivered to the stdout output as they arrive (rules rdp_from_internet_rejected and sshd_invalid_user):\n' >&2
run "$vigil" run --config "$conf" --once

printf '\nThe alert store:\n' >&2
run "$vigil" alerts list --config "$conf"
printf '\nThe file output (%s):\n' "$out/project/data/alerts.jsonl" >&2
cut -c 1-200 "$out/project/data/alerts.jsonl"
printf '\nDead letters (payloads no schema matched, with every tried schema'"'"'s reason):\n' >&2
run "$vigil" deadletters list --config "$conf"
printf '\nThe lake (every classified record, and every alert, Hive layout):\n' >&2
(cd "$out/project/data" && find lake -name '*.jsonl.gz' | sort)
printf '\nSlack, PagerDuty and SNS deliveries wait for credentials: vigil output set-credentials slack:security --config %s\n' "$conf" >&2
