#!/usr/bin/env bash
# Exports every policy in policies/ to torchvision, timm and albumentations with the built `tessera`, loads each
# export with the real library, runs it on Fashion-MNIST-like 28x28 grey and 64x64 RGB images, and prints a
# pass/fail table per (policy, target), plus a per-op table comparing exported single ops with `tessera op`.
#   Usage: Benchmarks/check_exports.sh [--tessera PATH] [--build] [--out FILE.md]
#   Installs (pip, into a venv): torch, torchvision (CPU use; PyPI's default wheel), timm, albumentations 2.0.8.
set -euo pipefail
cd "$(dirname "$0")/.."
tessera="${TESSERA:-}"
build=0
out="Benchmarks/results/check_exports.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tessera) tessera="$2"; shift 2 ;;
    --build) build=1; shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
scratch="${SCRATCH_PATH:-.build}"
if [[ $build == 1 || -z "$tessera" ]]; then
  if [[ $build == 1 || ! -x "$scratch/release/tessera" ]]; then
    swift build -c release --scratch-path "$scratch" --product tessera --static-swift-stdlib >/dev/null
  fi
  tessera="${tessera:-$scratch/release/tessera}"
fi
venv="${CHECK_EXPORTS_VENV:-/tmp/tessera-check-exports-venv}"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch, torchvision, timm, albumentations, PIL" 2>/dev/null; then
  "$venv/bin/pip" install --quiet torch torchvision timm "albumentations==2.0.8" pillow numpy
fi
mkdir -p "$(dirname "$out")"
OMP_NUM_THREADS=1 "$venv/bin/python" Benchmarks/check_exports.py --tessera "$tessera" --out "$out"
