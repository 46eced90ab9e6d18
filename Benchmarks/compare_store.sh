#!/usr/bin/env bash
# Tessera's store beside git, git-lfs, DVC and Oxen on the 70,000-file Fashion-MNIST PNG folder, in one
# run on one machine, plus the floor (read + SHA-256 every file on every core). Writes a Markdown table
# to stdout and to --out (default Benchmarks/results/store-<date>.md) and the raw timings beside it as
# .json. See Benchmarks/README.md for what each column runs.
#
#   Benchmarks/compare_store.sh [--tessera PATH] [--build] [--reps N] [--out FILE.md] [--scale N]
#                               [--tools tessera,git,git-lfs,dvc,oxen] [--tessera-link auto] [--keep]
#
#   --tessera PATH  the binary to measure (default: $TESSERA, else .build/release/tessera)
#   --build         first run `swift build -c release --product tessera --static-swift-stdlib` and measure that binary
#   --reps N        repetitions per tool; medians are reported (default 3)
#   --scale N       also time Tessera's init/add/commit/status on N tiny files with peak memory (off)
#   --keep          keep the temporary folder under /tmp (logs of every command)
#
# Installs what it measures with when missing, so nothing installed by hand is assumed: pip `dvc` and
# `oxenai`; apt `git`, `git-lfs`, `gcc`, `libssl-dev` (for the floor), `time` (GNU time, peak memory).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD=0
PASS=()
TESSERA="${TESSERA:-$ROOT/.build/release/tessera}"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=1; shift ;;
    --tessera) TESSERA="$2"; shift 2 ;;
    --tessera=*) TESSERA="${1#--tessera=}"; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) PASS+=("$1"); shift ;;
  esac
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
APT=()
command -v git >/dev/null || APT+=(git)
command -v git-lfs >/dev/null || APT+=(git-lfs)
command -v gcc >/dev/null || APT+=(gcc)
[ -f /usr/include/openssl/evp.h ] || APT+=(libssl-dev)
[ -x /usr/bin/time ] || APT+=(time)
if [ ${#APT[@]} -gt 0 ]; then
  echo "installing ${APT[*]} (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${APT[@]}" >/dev/null
fi
PIP=()
command -v dvc >/dev/null || PIP+=(dvc)
python3 -c 'import oxen' 2>/dev/null || PIP+=(oxenai)
if [ ${#PIP[@]} -gt 0 ]; then
  echo "installing ${PIP[*]} (pip)" >&2
  python3 -m pip install -q "${PIP[@]}"
fi

if [ "$BUILD" = 1 ]; then
  (cd "$ROOT" && swift build -c release --product tessera --static-swift-stdlib)
  TESSERA="$(cd "$ROOT" && swift build -c release --static-swift-stdlib --show-bin-path)/tessera"
fi
[ -x "$TESSERA" ] || { echo "compare_store.sh: $TESSERA is not an executable (pass --tessera PATH or --build)" >&2; exit 1; }

BIN="$(mktemp -d /tmp/tessera-store-floor.XXXXXX)"
trap 'rm -rf "$BIN"' EXIT
gcc -O2 -Wall -pthread -o "$BIN/hash_floor" "$ROOT/Benchmarks/hash_floor.c" -lcrypto

python3 "$ROOT/Benchmarks/compare_store.py" --tessera "$TESSERA" --floor-bin "$BIN/hash_floor" ${PASS[@]+"${PASS[@]}"}
