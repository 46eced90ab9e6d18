#!/usr/bin/env bash
# Tessera's trainer against PyTorch on CPU, side by side in one run: cnn-s on Fashion-MNIST,
# batch 128, SGD momentum 0.9, cosine schedule, no augmentation, the same number of threads.
# Reports training samples per second and test accuracy for both, and the convolution layers'
# GFLOP/s against OpenBLAS's sgemm peak measured in the same run.
#
#   Benchmarks/compare_trainer.sh                 # 5 epochs, 2 threads, seed 0
#   EPOCHS=1 THREADS=2 SEED=1 Benchmarks/compare_trainer.sh
#   TESSERA=/path/to/tessera Benchmarks/compare_trainer.sh   # skip the release build
#
# Needs: a release build of tessera (built here unless TESSERA is set), python3 with numpy and
# torch (installed here from the PyTorch CPU index, else from PyPI, if missing), and the IDX files
# of Debian's dataset-fashion-mnist. Both runs are niced: this is a shared machine.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
EPOCHS=${EPOCHS:-5}
THREADS=${THREADS:-2}
SEED=${SEED:-0}
IDX=${IDX:-/usr/share/datasets/fashion-mnist}
WORK=${WORK:-${TMPDIR:-/tmp}/tessera-compare-trainer}
mkdir -p "$WORK"

if [[ -z "${TESSERA:-}" ]]; then
  (cd "$ROOT" && nice swift build -c release --product tessera --static-swift-stdlib >&2)
  TESSERA="$(cd "$ROOT" && swift build -c release --static-swift-stdlib --show-bin-path)/tessera"
fi

if ! python3 -c "import torch, numpy" 2>/dev/null; then
  echo "installing torch (CPU) ..." >&2
  python3 -m pip install --quiet numpy torch --index-url https://download.pytorch.org/whl/cpu \
    --extra-index-url https://pypi.org/simple || python3 -m pip install --quiet numpy torch
fi

# The same images as PNG files, the way a Tessera user has them (imported once, then reused).
if [[ ! -d "$WORK/fmnist/test" ]]; then
  "$TESSERA" import fashion-mnist --from "$IDX" --out "$WORK/fmnist" >&2
fi

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# tessera runs with the environment as a user has it: it picks its own OpenBLAS kernels (loading
# OpenBLAS with OPENBLAS_CORETYPE=SkylakeX on AVX-512 CPUs, also over an inherited OPENBLAS_CORETYPE=Haswell),
# and prints the kernel it runs with ("BLAS SkylakeX"). PyTorch does not use OpenBLAS.
echo "OPENBLAS_CORETYPE in the environment: ${OPENBLAS_CORETYPE:-unset}"
echo "== tessera"
nice "$TESSERA" train --data "$WORK/fmnist" --model cnn-s --epochs "$EPOCHS" \
  --batch-size 128 --lr 0.05 --momentum 0.9 --weight-decay 5e-4 --schedule cosine --seed "$SEED" \
  --threads "$THREADS" --profile --json "$WORK/tessera.json" | grep -v '^  [A-Z]' | grep -v '^ *$'

echo "machine: load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== pytorch"
OMP_WAIT_POLICY=PASSIVE nice python3 "$ROOT/Benchmarks/compare_trainer.py" --idx "$IDX" --epochs "$EPOCHS" \
  --batch-size 128 --lr 0.05 --momentum 0.9 --weight-decay 5e-4 --threads "$THREADS" --seed "$SEED" \
  --tessera-report "$WORK/tessera.json" --json "$WORK/pytorch.json"

python3 - "$WORK/tessera.json" "$WORK/pytorch.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); p = json.load(open(sys.argv[2]))
def rates(run):
    e = run["epochs"]
    n = sum(x.get("samples", 60000) for x in e)
    return (n / sum(x["seconds"] for x in e), max(x.get("samples", 60000) / x["seconds"] for x in e),
            n / sum(x["cpuSeconds"] for x in e))
tw, tb, tc = rates(t); pw, pb, pc = rates(p)
print("\n                               tessera    pytorch")
print(f"samples/s, wall (all epochs)  {tw:8.0f}   {pw:8.0f}   x{tw / pw:.2f}")
print(f"samples/s, wall (best epoch)  {tb:8.0f}   {pb:8.0f}   x{tb / pb:.2f}")
print(f"samples per CPU-second        {tc:8.0f}   {pc:8.0f}   x{tc / pc:.2f}   (robust to other load)")
print(f"test accuracy                 {100 * t['test']['accuracy']:7.2f}%   {100 * p['testAccuracy']:7.2f}%")
peak = t.get("sgemmPeak") or {}
conv = t.get("convolutionGFLOPSPerCore")
if peak and conv:
    print(f"\nsgemm peak ({peak['core']}, {peak['threads']} threads, 1024^3): {peak['gflopsPerCore']:.1f} GFLOP/s per core")
    print(f"convolution layers (im2col, GEMMs, fused ReLU/pool): {conv:.1f} GFLOP/s per core = "
          f"{100 * conv / peak['gflopsPerCore']:.0f}% of peak")
    for e in t["profile"]:
        if e["layer"].startswith("conv"):
            rate = (e["forwardFLOPs"] + e["backwardFLOPs"]) / (e["forwardSeconds"] + e["backwardSeconds"]) / 1e9
            print(f"  {e['layer']:32s} {rate:7.1f} GFLOP/s ({100 * rate / peak['gflopsPerCore']:.0f}%)")
PY
