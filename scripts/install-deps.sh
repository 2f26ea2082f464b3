#!/usr/bin/env bash
# scripts/install-deps.sh: installs the Debian 12 packages vigil needs to build and test.
#
# Packages already installed are skipped, so with everything present this takes well under
# a second and touches nothing.  Runs apt-get as root, or through sudo when not root.
# VGL_SKIP_DEPS=1 skips the whole step (for machines managed some other way).
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config   # compiler, CMake >= 3.25, Ninja
    zlib1g-dev                                     # gzip input (frame/lines.c)
    libisal-dev                                    # ISA-L igzip: the lake's gzip output
    clang libclang-rt-14-dev                       # libFuzzer + sanitizer runtimes (fuzz preset)
    python3 python3-dev                            # embedded CPython for rules (python3-embed)
    libsqlite3-dev                                 # alert store
    libcurl4-openssl-dev                           # HTTP outputs
    librdkafka-dev                                 # Kafka source
    libsodium-dev                                  # encrypted credentials
    valgrind                                       # ctest -T memcheck
    time                                           # /usr/bin/time: peak RSS in bench/
)

if [[ ${VGL_SKIP_DEPS:-0} == 1 ]]; then
    echo "install-deps: VGL_SKIP_DEPS=1, skipping"
    exit 0
fi
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    echo "install-deps: no apt-get/dpkg here (not Debian?); install these by hand:" >&2
    echo "  ${packages[*]}" >&2
    exit 0
fi

# One dpkg-query for all: "name status" per known package (arch qualifiers dropped).
installed=" $(dpkg-query -W -f='${binary:Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null |
    awk '$2 == "installed" { sub(/:.*/, "", $1); print $1 }' | tr '\n' ' ' || true) "
missing=()
for p in "${packages[@]}"; do
    if [[ $installed != *" $p "* ]]; then
        missing+=("$p")
    fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        echo "install-deps: not root and no sudo; run as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo -n)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
echo "install-deps: done"
