#!/usr/bin/env bash
# scripts/test.sh: THE test command, run by .ci/run and by hand.
#
#   1. scripts/install-deps.sh              (fast when everything is installed)
#   2. the ci preset: configure + build     (Debug, -Werror)
#   3. the ci-asan workflow                 (configure, build, whole suite under ASan+UBSan)
#   4. the fuzz preset (clang libFuzzer)    (each tests/fuzz/fuzz_* target for a short run)
#   5. ctest --preset ci                    (the whole suite on the ci build)
#
# The plain ctest run comes last on purpose: CI reads ctest's closing summary, so it must
# be the last thing printed.  A failed stage does not stop the later ones (except a failed
# install or ci build); the exit status is non-zero when any stage failed.
#
# Options: --no-deps, --no-asan, --no-fuzz (skip those stages).
# Environment: VGL_FUZZ_SECONDS (default 20) per fuzz target; CTEST_PARALLEL_LEVEL
# (default: the number of cores).
# shellcheck disable=SC2317  # functions run through stage() look unreachable to it
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

do_deps=1 do_asan=1 do_fuzz=1
for arg in "$@"; do
    case $arg in
    --no-deps) do_deps=0 ;;
    --no-asan) do_asan=0 ;;
    --no-fuzz) do_fuzz=0 ;;
    -h | --help)
        sed -n '2,/^# shellcheck/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "test.sh: unknown option '$arg' (--no-deps, --no-asan, --no-fuzz)" >&2
        exit 2
        ;;
    esac
done

fuzz_seconds=${VGL_FUZZ_SECONDS:-20}
export CTEST_PARALLEL_LEVEL=${CTEST_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}
# The sanitizer settings of the asan test presets, also for the fuzz runs below.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export PYTHONMALLOC=${PYTHONMALLOC:-malloc}

failed=()
timings=()
script_start=$(date +%s)

section() {
    printf '\n==================== %s ====================\n' "$*"
}

# stage NAME CMD...: runs CMD, records its time, and returns its status.
stage() {
    local name=$1 start rc
    shift
    start=$(date +%s)
    "$@"
    rc=$?
    timings+=("$(printf '%-14s %4ss  %s' "$name" "$(($(date +%s) - start))" \
        "$([[ $rc -eq 0 ]] && echo ok || echo "FAILED ($rc)")")")
    [[ $rc -eq 0 ]] || failed+=("$name")
    return $rc
}

print_timings() {
    section "summary so far"
    printf '  %s\n' "${timings[@]}"
    if [[ ${#failed[@]} -gt 0 ]]; then
        echo "  failed: ${failed[*]}"
    fi
}

ci_build() {
    cmake --preset ci && cmake --build --preset ci
}

libfuzzer_works() {
    local d rc
    d=$(mktemp -d) || return 1
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$d/probe.c"
    clang -fsanitize=fuzzer,address,undefined "$d/probe.c" -o "$d/probe" >"$d/log" 2>&1 &&
        "$d/probe" -runs=1 >>"$d/log" 2>&1
    rc=$?
    [[ $rc -eq 0 ]] || sed 's/^/    /' "$d/log" | tail -n 5
    rm -rf "$d"
    return $rc
}

# Fuzzes every target briefly, on a copy of its corpus so the tree is never written to.
fuzz_all() {
    cmake --preset fuzz && cmake --build --preset fuzz || return 1
    local work src name bin corpus first status=0 n=0
    work=$(mktemp -d "${TMPDIR:-/tmp}/vgl-fuzz.XXXXXX") || return 1
    for src in tests/fuzz/fuzz_*.c; do
        [[ -e $src ]] || continue
        name=$(basename "$src" .c)
        bin=$(find build-fuzz -type f -name "$name" -perm -u+x | head -n 1)
        if [[ -z $bin ]]; then
            echo "fuzz: no binary for $name in build-fuzz" >&2
            status=1
            continue
        fi
        corpus=$work/$name/corpus
        mkdir -p "$corpus" "$work/$name/artifacts"
        if [[ -d tests/fuzz/corpus/$name ]]; then
            cp -R "tests/fuzz/corpus/$name/." "$corpus/"
        fi
        printf 'fuzz: %-24s %ss ... ' "$name" "$fuzz_seconds"
        if "$bin" -max_total_time="$fuzz_seconds" -timeout=25 -rss_limit_mb=4096 \
            -artifact_prefix="$work/$name/artifacts/" "$corpus" >"$work/$name/log" 2>&1; then
            echo "ok ($(grep -Eo '^#[0-9]+' "$work/$name/log" | tail -n 1 | tr -d '#') runs)"
        else
            echo "FAILED"
            # From the first report on; the lines before it are libFuzzer's progress.
            first=$(grep -n -m 1 -E 'runtime error|==ERROR|ERROR: libFuzzer' "$work/$name/log" |
                cut -d: -f1)
            if [[ -n $first ]]; then
                tail -n "+$first" "$work/$name/log" | head -n 80
            else
                tail -n 60 "$work/$name/log"
            fi
            for a in "$work/$name/artifacts"/*; do
                [[ -f $a ]] || continue
                echo "--- crashing input $a ($(wc -c <"$a") bytes), first 256 bytes:"
                head -c 256 "$a" | od -An -c | head -n 20
            done
            echo "(keep it as a test: copy the input into tests/fuzz/corpus/$name/)"
            status=1
        fi
        n=$((n + 1))
    done
    [[ $n -gt 0 ]] || echo "fuzz: no targets found"
    rm -rf "$work"
    return "$status"
}

if [[ $do_deps -eq 1 ]]; then
    section "1/5 install dependencies"
    stage deps scripts/install-deps.sh || {
        print_timings
        exit 1
    }
fi

section "2/5 ci build (Debug, -Werror)"
if ! stage ci-build ci_build; then
    print_timings
    echo "test.sh: the ci build failed; nothing to test" >&2
    exit 1
fi

if [[ $do_asan -eq 1 ]]; then
    section "3/5 ci-asan workflow (ASan + UBSan, whole suite)"
    stage ci-asan cmake --workflow --preset ci-asan
fi

if [[ $do_fuzz -eq 1 ]]; then
    section "4/5 fuzz (${fuzz_seconds}s per target)"
    if libfuzzer_works; then
        stage fuzz fuzz_all
    else
        echo "fuzz: skipped: clang with -fsanitize=fuzzer does not work here (see above)"
        timings+=("$(printf '%-14s %4s   %s' fuzz - skipped)")
    fi
fi

print_timings
echo "  elapsed so far: $(($(date +%s) - script_start))s"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "  test.sh will exit non-zero whatever the run below says"
fi
section "5/5 ctest --preset ci (whole suite; ctest's summary is the last line)"
ctest --preset ci
rc=$?
if [[ ${#failed[@]} -gt 0 && $rc -eq 0 ]]; then
    rc=1
fi
exit $rc
