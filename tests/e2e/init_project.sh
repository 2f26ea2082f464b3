#!/usr/bin/env bash
# tests/e2e/init_project.sh: `vigil init` end to end.
#
# Builds starter projects from the schema library (found by the binary itself, as a user's
# install would) and checks that each one validates and passes `vigil test classifier` and
# `vigil test rules`,
# including one project with every log source on a single resource.  Also checks --list,
# the refusal of a non-empty folder, --force, and the error for unknown log sources.
#
# usage: init_project.sh VIGIL
set -uo pipefail
if [[ $# -ne 1 ]]; then
    echo "usage: init_project.sh VIGIL" >&2
    exit 2
fi
vigil=$1
[[ $vigil == /* ]] || vigil=$PWD/$vigil
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vgl-init.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [[ -f $tmp/err ]] && sed 's/^/     /' "$tmp/err" | head -20; }

# run NAME WANT_EXIT ARGS...: runs vigil, output in $tmp/out and $tmp/err
run() {
    local name=$1 want=$2
    shift 2
    "$vigil" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [[ $rc -ne $want ]]; then
        bad "$name: exit $rc, expected $want"
        return 1
    fi
    return 0
}

# project_passes NAME DIR: validate (rules included), test classifier and test rules pass.
project_passes() {
    local name=$1 dir=$2
    if run "$name: validate" 0 validate --config "$dir/conf"; then
        ok "$name: validate ($(grep -o '[0-9]* rules' "$tmp/out"))"
    fi
    local mode
    for mode in classifier rules; do
        if run "$name: test $mode" 0 test "$mode" --no-color --config "$dir/conf" &&
            grep -q "^Fail: 0" "$tmp/out"; then
            ok "$name: test $mode ($(grep '^Pass:' "$tmp/out"))"
        else
            bad "$name: test $mode"
            tail -20 "$tmp/out"
        fi
    done
}

# --list names the sources and their log types
if run "--list" 0 init --list && grep -q "cloudtrail:events" "$tmp/out" &&
    grep -q "osquery:differential" "$tmp/out"; then
    ok "--list prints the log types"
else
    bad "--list"
fi

# a small project
if run "init small" 0 init "$tmp/small" --logs cloudtrail,okta,osquery; then
    for f in conf/global.json conf/clusters/main.json conf/schemas/okta.json \
        rules/classifier/osquery.json rules/cloudtrail/cloudtrail_example.py \
        rules/cloudtrail/cloudtrail_example.json; do
        [[ -f $tmp/small/$f ]] || bad "init small: $f missing"
    done
    ok "init small"
    project_passes "small" "$tmp/small"
fi

# every source in the library on one resource: each sample must keep its own log type
all=$("$vigil" init --list | awk 'NR > 1 {print $1}' | paste -sd, -)
if run "init all" 0 init "$tmp/all" --logs "$all"; then
    ok "init all ($(ls "$tmp/all/conf/schemas" | wc -l) log sources)"
    project_passes "all" "$tmp/all"
fi

# a non-empty folder is refused; --force rewrites init's files (here adding two sources)
if run "non-empty refused" 2 init "$tmp/small" --logs zeek && grep -q "is not empty" "$tmp/err"; then
    ok "non-empty folder refused"
fi
if run "--force" 0 init "$tmp/small" --logs cloudtrail,okta,osquery,zeek,suricata --force &&
    [[ -f $tmp/small/conf/schemas/zeek.json ]] && grep -q '"zeek", "suricata"' "$tmp/small/conf/clusters/main.json"; then
    ok "--force rewrites the project"
    project_passes "forced" "$tmp/small"
fi

# unknown names: a clear error with near names
if run "typo" 2 init "$tmp/typo" --logs cloudtrial && grep -q "unknown log source 'cloudtrial'; did you mean cloudtrail" "$tmp/err"; then
    ok "typo suggests the near name"
fi
if run "alias" 2 init "$tmp/typo" --logs apache && grep -q "did you mean accesslog" "$tmp/err"; then
    ok "apache points at accesslog"
fi
if run "log type" 2 init "$tmp/typo" --logs osquery:differential && grep -q "use 'osquery'" "$tmp/err"; then
    ok "a log type points at its source"
fi
[[ ! -e $tmp/typo ]] || bad "a failed init created its folder"

# a wrong $VIGIL_SCHEMA_DIR is an error, not a silent fallback
if VIGIL_SCHEMA_DIR=$tmp/nowhere run "bad VIGIL_SCHEMA_DIR" 4 init "$tmp/x" --logs okta &&
    grep -q "VIGIL_SCHEMA_DIR" "$tmp/err"; then
    ok "bad \$VIGIL_SCHEMA_DIR reported"
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
