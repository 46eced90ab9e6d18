#!/usr/bin/env bash
# JPEG decode speed: Tessera's decodeImage (release build) against libjpeg-turbo's own tools on the same
# files, in one run. Prints a table of medians.
#
#   Benchmarks/compare_codecs.sh            (REPS=15 rounds; each round samples every tool on every file)
#
# Needs: swift, python3 (standard library only), libjpeg-turbo-progs (djpeg, cjpeg, tjbench; listed in
# scripts/setup.sh). What is compared:
# - tessera: decodeImage(bytes:) in a loop in one process, bytes already in memory, output a new Image
#   (RGB or grey, interleaved) each time; median over REPS repetitions of a batch of decodes.
#   "reused-buf" is decodeImage(bytes:into:), which decodes into the previous image's storage, as
#   tjbench does with its output buffer (a new multi-megabyte buffer costs page faults on every decode).
# - djpeg:   one `djpeg -outfile /dev/null` process per decode, as people use it; the median time to
#   start and run djpeg on an 8x8 JPEG is reported and subtracted (the "djpeg - exec" column), since
#   process start-up swamps small images.
# - tjbench: libjpeg-turbo's in-process benchmark (TurboJPEG API, decode to RGB, accurate upsampling and
#   the default ISLOW IDCT, like Tessera) for 0.2 s per round; the table shows the median of its rates.
# All three decode with libjpeg-turbo's default settings: ISLOW IDCT and fancy upsampling.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REPS="${REPS:-15}"
WORK="$(mktemp -d /tmp/tessera-codec-bench.XXXXXX)"
# SwiftPM also leaves lock files named after the harness path in the temp folder.
trap 'rm -rf "$WORK"; rm -f "${TMPDIR:-/tmp}/$(tr / _ <<<"$WORK")"_*.lock' EXIT
for tool in djpeg cjpeg tjbench python3 swift; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install libjpeg-turbo-progs)" >&2; exit 1; }
done

# 1. Test images: photo-like content (smooth shading, edges, noise) as PPM/PGM, encoded by cjpeg.
python3 - "$WORK" <<'PY'
import math, random, sys
out = sys.argv[1]
def picture(w, h, channels, seed):
    rng = random.Random(seed)
    blobs = [(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(w / 12, w / 3), [rng.uniform(-120, 120) for _ in range(3)])
             for _ in range(12)]
    data = bytearray()
    for y in range(h):
        for x in range(w):
            base = [90 + 60 * math.sin(x / w * 5 + c) + 40 * math.cos(y / h * 3 - c) for c in range(3)]
            for bx, by, r, col in blobs:
                if (x - bx) ** 2 + (y - by) ** 2 < r * r:
                    base = [b + k for b, k in zip(base, col)]
            px = [max(0, min(255, int(v + rng.gauss(0, 6)))) for v in base]
            data += bytes(px[:channels]) if channels == 3 else bytes([sum(px) // 3])
    kind = b"P6" if channels == 3 else b"P5"
    with open(f"{out}/src_{w}x{h}_{channels}.p{'p' if channels == 3 else 'g'}m", "wb") as f:
        f.write(kind + b"\n%d %d\n255\n" % (w, h) + data)
for w, h, c in [(28, 28, 1), (224, 224, 3), (1024, 768, 3), (8, 8, 3)]:
    picture(w, h, c, w * h)
PY
cjpeg -quality 90 "$WORK/src_28x28_1.pgm" > "$WORK/fmnist_28x28_grey.jpg"
cjpeg -quality 90 "$WORK/src_224x224_3.ppm" > "$WORK/rgb_224x224_q90.jpg"
cjpeg -quality 90 "$WORK/src_1024x768_3.ppm" > "$WORK/rgb_1024x768_q90.jpg"
cjpeg -quality 90 -progressive "$WORK/src_1024x768_3.ppm" > "$WORK/rgb_1024x768_q90_progressive.jpg"
cjpeg -quality 90 "$WORK/src_8x8_3.ppm" > "$WORK/tiny_8x8.jpg"
FILES=(fmnist_28x28_grey.jpg rgb_224x224_q90.jpg rgb_1024x768_q90.jpg rgb_1024x768_q90_progressive.jpg)

# 2. Tessera harness: a throwaway package that depends on this one by path, built in release.
mkdir -p "$WORK/harness/Sources/decodebench"
IDENTITY="$(basename "$ROOT" | tr '[:upper:]' '[:lower:]')"  # SwiftPM names a path dependency after its folder
cat > "$WORK/harness/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
  name: "decodebench",
  dependencies: [.package(path: "$ROOT")],
  targets: [.executableTarget(name: "decodebench", dependencies: [.product(name: "TesseraImage", package: "$IDENTITY")])])
SWIFT
cat > "$WORK/harness/Sources/decodebench/main.swift" <<'SWIFT'
import Foundation
import TesseraImage

// decodebench REPS file...: per file, the median over REPS batches of the time per decode in
// microseconds, for decodeImage(bytes:) (a new Image each time) and decodeImage(bytes:into:) (reused).
let reps = Int(CommandLine.arguments[1])!
var checksum = 0

func median(_ body: () throws -> Void) rethrows -> Double {
  // Batches of about 50 ms so timer resolution and scheduling noise stay small.
  let t0 = DispatchTime.now().uptimeNanoseconds
  for _ in 0..<5 { try body() }
  let once = max(1, (DispatchTime.now().uptimeNanoseconds - t0) / 5)
  let batch = max(1, Int(50_000_000 / once))
  var samples: [Double] = []
  for _ in 0..<reps {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<batch { try body() }
    samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(batch) / 1000)
  }
  samples.sort()
  return samples[samples.count / 2]
}

for path in CommandLine.arguments.dropFirst(2) {
  let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  let fresh = try median { checksum &+= Int(try decodeImage(bytes: bytes).pixels[0]) }
  var image = Image(width: 1, height: 1, channels: 1)
  let reused = try median {
    try decodeImage(bytes: bytes, into: &image)
    checksum &+= Int(image.pixels[0])
  }
  print("\(URL(fileURLWithPath: path).lastPathComponent) \(fresh) \(reused) \(checksum & 1)")
}
SWIFT
echo "building the Tessera harness (release)..." >&2
swift build -c release --package-path "$WORK/harness" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
BENCH="$WORK/harness/.build/release/decodebench"

# 3. Measure. The machine may be shared, so the tools take turns: each round runs one sample of every
#    tool on every file, and the table shows each tool's median over REPS rounds.
declare -A SAMPLES
cd "$WORK"
declare -A PIXELS SIZE
for f in "${FILES[@]}" tiny_8x8.jpg; do
  read -r w h < <(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(); i = 2
while i < len(d):
    m, n = d[i + 1], struct.unpack(">H", d[i + 2:i + 4])[0]
    if m in (0xC0, 0xC1, 0xC2):
        h, w = struct.unpack(">HH", d[i + 5:i + 9]); print(w, h); break
    i += 2 + n' "$f")
  PIXELS[$f]=$((w * h)); SIZE[$f]="${w}x${h}"
done
add() { SAMPLES[$1]="${SAMPLES[$1]:-} $2"; }
djpeg_batch_us() {  # microseconds per djpeg process, over a batch of $2 runs
  local t0 t1 i
  t0=$(date +%s%N)
  for ((i = 0; i < $2; i++)); do djpeg -outfile /dev/null "$1"; done
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / $2 / 1000 ))
}
for ((r = 1; r <= REPS; r++)); do
  printf '\rround %d/%d' "$r" "$REPS" >&2
  while read -r name fresh reused _; do add "tessera:$name" "$fresh"; add "reused:$name" "$reused"; done \
    < <("$BENCH" 1 "${FILES[@]}")
  add exec "$(djpeg_batch_us tiny_8x8.jpg 10)"
  for f in "${FILES[@]}"; do
    add "djpeg:$f" "$(djpeg_batch_us "$f" $(( PIXELS[$f] > 100000 ? 3 : 10 )))"
    # tjbench -quiet prints one row per pixel format ending in the decompression rate (Mpixels/s).
    rate="$(tjbench "$f" -rgb -benchtime 0.2 -warmup 0.05 -nowrite -quiet 2>/dev/null | awk '/^(RGB|Gray|GRAY)/ {rate=$NF} END {print rate}')"
    add "tjbench:$f" "$(python3 -c "print(${PIXELS[$f]} / float('${rate:-0}') if float('${rate:-0}') > 0 else 0)")"
  done
done
printf '\r\033[K' >&2
median() { python3 -c 'import sys, statistics; print(round(statistics.median(float(x) for x in sys.argv[1:]), 1))' $1; }

EXEC_US="$(median "${SAMPLES[exec]}")"
printf '%-34s %9s %11s %13s %10s %13s %11s %11s\n' file pixels "tessera us" "reused-buf us" "djpeg us" "djpeg-exec us" "tjbench us" "reused/tjb"
for f in "${FILES[@]}"; do
  T="$(median "${SAMPLES[tessera:$f]}")"; R="$(median "${SAMPLES[reused:$f]}")"
  D="$(median "${SAMPLES[djpeg:$f]}")"; J="$(median "${SAMPLES[tjbench:$f]}")"
  NET="$(python3 -c "print(round(max(0.0, $D - $EXEC_US), 1))")"
  RATIO="$(python3 -c "print(round($R / $J, 2) if $J > 0 else 'n/a')")"
  printf '%-34s %9s %11s %13s %10s %13s %11s %11s\n' "$f" "${SIZE[$f]}" "$T" "$R" "$D" "$NET" "$J" "$RATIO"
done
echo "medians of $REPS interleaved rounds; djpeg exec overhead (8x8 JPEG) ${EXEC_US} us per process;" \
  "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
