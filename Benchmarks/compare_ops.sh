#!/usr/bin/env bash
# Single-thread images/s per op (per second of process CPU time): Tessera (release build of tessera-bench-ops) vs Pillow vs albumentations, on the
# same 28x28 grey and 224x224 RGB inputs with the same fixed arguments. Prints a table; raw JSON lines go to
# Benchmarks/compare_ops.results.jsonl.
#   Usage: Benchmarks/compare_ops.sh [OP]        (BENCH_SECONDS=0.3 per timed run, best of 3)
#   Needs: pip install pillow albumentations numpy
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH_PATH:-.build}"
swift build -c release --scratch-path "$scratch" --product tessera-bench-ops >/dev/null
out=Benchmarks/compare_ops.results.jsonl
: > "$out"
# One thread each: OpenCV/numpy pools are pinned to 1 in the Python half; Tessera's ops are single-threaded.
for op in ${1:-ShearX ShearY TranslateX TranslateY Rotate RotateBilinear AutoContrast Equalize Invert Solarize \
            SolarizeAdd Posterize Contrast Color Brightness Sharpness Cutout HorizontalFlip VerticalFlip SamplePairing \
            PadCrop ResizeHalf TrivialAugmentWide}; do
  "$scratch/release/tessera-bench-ops" "$op" >> "$out"
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 Benchmarks/compare_ops.py "$op" >> "$out"
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
table = {}
for r in rows:
    table.setdefault((r["op"], r["image"]), {})[r["library"]] = r["images_per_s"]
print(f"{'op':15s} {'image':12s} {'tessera':>10s} {'pillow':>10s} {'albument.':>10s}  vs best")
for (op, image), libs in table.items():
    t = libs.get("tessera")
    others = [v for k, v in libs.items() if k != "tessera"]
    ratio = f"{t / max(others):5.2f}x" if t and others else "  n/a"
    cell = lambda k: f"{libs[k]:>10d}" if k in libs else f"{'n/a':>10s}"
    print(f"{op:15s} {image:12s} {cell('tessera')} {cell('pillow')} {cell('albumentations')}  {ratio}")
PY
