#!/usr/bin/env bash
# tests/e2e/run_case.sh: runs one end-to-end case through the real vigil binary.
#
# usage: run_case.sh VIGIL CASE_DIR
#
# A case is a folder with:
#   cmd                       one line of shell words: the arguments to vigil.  $CASE is the
#                             case folder and $SHARED is $VGL_SHARED_DIR; quotes and globs work.
#                             vigil runs with the case folder as its working directory.
#   stdin                     optional: fed to vigil's standard input (else /dev/null)
#   expected_stdout           optional: stdout must equal it byte for byte
#   expected_stdout_contains  optional: each non-empty line must appear somewhere in stdout
#   expected_stderr_contains  optional: each non-empty line must appear somewhere in stderr
#   expected_exit             optional: the exit status (default 0)
#   needs_shared              optional: skip (exit 77) when $VGL_SHARED_DIR does not exist
#
# VGL_E2E_WRAPPER, when set, is put in front of vigil (e.g. "valgrind -q --error-exitcode=99").
# Exit status: 0 pass, 1 fail, 77 skipped (ctest's SKIP_RETURN_CODE).
set -uo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: run_case.sh VIGIL CASE_DIR" >&2
    exit 2
fi
vigil=$1
if [[ $vigil != /* ]]; then
    vigil=$PWD/$vigil
fi
CASE=$(cd "$2" && pwd) || exit 2
SHARED=${VGL_SHARED_DIR:-}
name=$(basename "$CASE")

if [[ -e $CASE/needs_shared ]] && [[ -z $SHARED || ! -d $SHARED ]]; then
    echo "skipped: ../shared not found (VGL_SHARED_DIR='$SHARED')"
    exit 77
fi
if [[ ! -f $CASE/cmd ]]; then
    echo "$name: no 'cmd' file in $CASE" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vgl-e2e.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

cmdline=$(head -n 1 "$CASE/cmd")
cd "$CASE" || exit 2
# The cmd file is test data we wrote: eval gives it shell quoting, globs and $CASE/$SHARED.
args=()
if ! eval "args=($cmdline)"; then
    echo "$name: cannot parse cmd: $cmdline" >&2
    exit 2
fi
# shellcheck disable=SC2206
wrapper=(${VGL_E2E_WRAPPER:-})
stdin_file=/dev/null
[[ -f $CASE/stdin ]] && stdin_file=$CASE/stdin

# stdout and stderr are pipes, as in a shell pipeline, not files: a case may pass
# /dev/stdout as an output path, and reopening a file there would truncate it.
{
    "${wrapper[@]}" "$vigil" "${args[@]}" <"$stdin_file" 2>&3 | cat >"$tmp/stdout"
    echo "${PIPESTATUS[0]}" >"$tmp/status"
} 3>&1 | cat >"$tmp/stderr"
status=$(cat "$tmp/status")

failures=0
fail() {
    failures=$((failures + 1))
    printf '\n--- FAIL: %s\n' "$*"
}

show() { # show FILE LABEL: the first 200 lines of an output
    printf '\n--- %s (%s bytes):\n' "$2" "$(wc -c <"$1")"
    head -n 200 "$1"
    if [[ $(wc -l <"$1") -gt 200 ]]; then
        echo "[... cut after 200 lines]"
    fi
}

expected_exit=0
if [[ -f $CASE/expected_exit ]]; then
    expected_exit=$(tr -d ' \t\r\n' <"$CASE/expected_exit")
fi
if [[ $status != "$expected_exit" ]]; then
    fail "exit status: expected $expected_exit, got $status"
fi

if [[ -f $CASE/expected_stdout ]] && ! cmp -s "$CASE/expected_stdout" "$tmp/stdout"; then
    fail "stdout differs from expected_stdout (- expected, + got):"
    diff -u --label expected_stdout --label stdout "$CASE/expected_stdout" "$tmp/stdout" | head -n 200
fi

check_contains() { # check_contains EXPECTED_FILE OUTPUT_FILE LABEL
    [[ -f $1 ]] || return 0
    local line
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%$'\r'}
        [[ -z $line ]] && continue
        if ! grep -qF -e "$line" -- "$2"; then
            fail "$3 does not contain: $line"
        fi
    done <"$1"
}
check_contains "$CASE/expected_stdout_contains" "$tmp/stdout" stdout
check_contains "$CASE/expected_stderr_contains" "$tmp/stderr" stderr

if [[ $failures -gt 0 ]]; then
    printf '\n=== e2e case %s failed (%d checks)\n' "$name" "$failures"
    printf 'cwd: %s\ncommand: %s' "$CASE" "$vigil"
    printf ' %q' "${args[@]}"
    printf '\nexit status: %s\n' "$status"
    show "$tmp/stdout" stdout
    show "$tmp/stderr" stderr
    exit 1
fi
echo "ok: $name"
exit 0
