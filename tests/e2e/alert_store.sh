#!/usr/bin/env bash
# tests/e2e/alert_store.sh: alerts into the SQLite alert store and back out with
# `vigil alerts`: stored once however often the same input runs, listed, filtered, shown by
# id prefix, retried, and clear errors for bad ids, states and times.
#
# usage: alert_store.sh VIGIL SOURCE_DIR
set -uo pipefail
vigil=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vgl-store.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -r "$src/examples/quickstart" "$tmp/project"
rm -rf "$tmp/project/data"
conf=$tmp/project/conf
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

run_classify() {
    "$vigil" classify --rules --store --no-progress --config "$conf" --resource logs "$tmp"/project/logs/* \
        > "$tmp/out" 2> "$tmp/err"
}
run_classify
grep -q "alerts stored (new)                      15" "$tmp/err" && ok || bad "first run stores 15 alerts: $(grep stored "$tmp/err")"
[[ -f $tmp/project/data/alerts.sqlite3 ]] && ok || bad "store file under the project's data dir"
run_classify
grep -q "alerts stored (new)                      0 " "$tmp/err" && ok || bad "second run stores nothing: $(grep stored "$tmp/err")"

"$vigil" alerts list --json --limit 100 --config "$conf" > "$tmp/list" 2>&1
[[ $(wc -l < "$tmp/list") -eq 15 ]] && ok || bad "list --json has 15 lines: $(wc -l < "$tmp/list")"
grep -q '"deliveries":{"sent":0,"pending":2,"failed":0,"abandoned":0},"alert":{' "$tmp/list" && ok || bad "list --json shape"
"$vigil" alerts list --rule sshd_invalid_user --config "$conf" > "$tmp/one" 2>&1
[[ $(grep -c sshd_invalid_user "$tmp/one") -eq 2 ]] && ok || bad "filter by rule: $(cat "$tmp/one")"
"$vigil" alerts list --state failed --config "$conf" > "$tmp/none" 2>&1
grep -q "no alerts in .* match" "$tmp/none" && ok || bad "no failed deliveries yet"
"$vigil" alerts list --since 1h --config "$conf" > "$tmp/since" 2>&1
grep -q sshd_invalid_user "$tmp/since" && ok || bad "--since 1h"
"$vigil" alerts list --until 2000-01-01 --config "$conf" > "$tmp/until" 2>&1
grep -q "no alerts" "$tmp/until" && ok || bad "--until in the past"

id=$(head -n1 "$tmp/list" | sed 's/^{"id":"\([^"]*\)".*/\1/')
"$vigil" alerts show "${id:0:10}" --config "$conf" > "$tmp/show" 2>&1
grep -q "^id:         $id" "$tmp/show" && grep -q "aws-firehose:alerts .*pending" "$tmp/show" && ok || bad "show by prefix: $(cat "$tmp/show")"
"$vigil" alerts retry "$id" --config "$conf" > "$tmp/retry" 2>&1
grep -q "0 deliveries of alert .* due again" "$tmp/retry" && ok || bad "retry of pending deliveries changes nothing"

"$vigil" alerts merge --config "$conf" > "$tmp/m0" 2>&1
grep -q "merged 0 alerts into 0 merged alerts" "$tmp/m0" && ok || bad "merge before the windows elapse: $(cat "$tmp/m0")"
"$vigil" alerts merge --now 2099-01-01 --config "$conf" > "$tmp/m1" 2>&1
grep -qE "merged [1-9][0-9]* alerts? into [1-9][0-9]* merged alerts?" "$tmp/m1" && ok || bad "merge later: $(cat "$tmp/m1")"
"$vigil" alerts list --json --limit 100 --config "$conf" > "$tmp/merged" 2>&1
grep -q '"record":{"AlertCount":' "$tmp/merged" && ok || bad "merged alerts are listed"
"$vigil" alerts merge --now 2099-01-01 --config "$conf" > "$tmp/m2" 2>&1
grep -q "merged 0 alerts" "$tmp/m2" && ok || bad "a second merge pass finds nothing"

"$vigil" alerts show ffffffff-no-such --config "$conf" > "$tmp/e1" 2>&1
[[ $? -eq 2 ]] && grep -q "no alert with id 'ffffffff-no-such'" "$tmp/e1" && ok || bad "unknown id: $(cat "$tmp/e1")"
"$vigil" alerts list --state lost --config "$conf" > "$tmp/e2" 2>&1
[[ $? -eq 2 ]] && grep -q "unknown state 'lost'" "$tmp/e2" && ok || bad "unknown state"
"$vigil" alerts list --since yesterday --config "$conf" > "$tmp/e3" 2>&1
[[ $? -eq 2 ]] && grep -q "cannot read time 'yesterday'" "$tmp/e3" && ok || bad "bad time"
"$vigil" classify --store --config "$conf" --resource logs "$tmp"/project/logs/app.log > "$tmp/e4" 2>&1
[[ $? -eq 2 ]] && grep -q "needs --rules" "$tmp/e4" && ok || bad "--store without --rules"

echo "alert store: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
