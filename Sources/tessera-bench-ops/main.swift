// Single-thread timings of TesseraAugment's ops, printed as one JSON object per line
// ({"library": "tessera", "op": ..., "image": ..., "images_per_s": ...}). Run by Benchmarks/compare_ops.sh,
// whose Python half times Pillow and albumentations on the same images with the same arguments.
import Foundation
import TesseraAugment
import TesseraImage

/// The same deterministic input as Benchmarks/compare_ops.py `make_input` (gradient plus LCG noise).
func makeInput(width: Int, height: Int, channels: Int, seed: Int) -> Image {
  var state = seed
  var pixels = [UInt8]()
  pixels.reserveCapacity(width * height * channels)
  for y in 0..<height {
    for x in 0..<width {
      for c in 0..<channels {
        state = (state &* 1_103_515_245 &+ 12345) % (1 << 31)
        let noise = (state >> 16) & 0xFF
        let gradient = (x * 255 / max(width - 1, 1) * (c + 1) + y * 255 / max(height - 1, 1) * (3 - c)) / 4
        let v = (gradient * 3 + noise) / 4
        pixels.append(UInt8(16 + v * (235 - 16) / 255))
      }
    }
  }
  return Image(width: width, height: height, channels: channels, pixels: pixels)
}

let nearest = Geometry(interpolation: .nearest, fill: [0])
let trivialAugment = TrivialAugmentPolicy()
nonisolated(unsafe) var policyCounter: UInt64 = 0  // single-threaded benchmark loop
let bilinear = Geometry(interpolation: .bilinear, fill: [0])
nonisolated(unsafe) var partners: [Int: Image] = [:]  // single-threaded benchmark loop

/// SamplePairing's second image: the input flipped top to bottom, made once per input (not timed), as in
/// compare_ops.py.
func partner(of image: Image) -> Image {
  if let made = partners[image.width] { return made }
  let made = Geometric.flipVertical(image)
  partners[image.width] = made
  return made
}

/// Op name → the pure function with the benchmark's fixed arguments (same as compare_ops.py).
let ops: [(String, (Image) -> Image)] = [
  ("ShearX", { Geometric.shearX($0, factor: 0.3, geometry: nearest) }),
  ("ShearY", { Geometric.shearY($0, factor: 0.3, geometry: nearest) }),
  ("TranslateX", { Geometric.translateX($0, pixels: 5, geometry: nearest) }),
  ("TranslateY", { Geometric.translateY($0, pixels: 5, geometry: nearest) }),
  ("Rotate", { Geometric.rotate($0, degrees: 30, geometry: nearest) }),
  ("RotateBilinear", { Geometric.rotate($0, degrees: 30, geometry: bilinear) }),
  ("AutoContrast", { Pixel.autoContrast($0) }),
  ("Equalize", { Pixel.equalize($0) }),
  ("Invert", { Pixel.invert($0) }),
  ("Solarize", { Pixel.solarize($0, threshold: 128) }),
  ("SolarizeAdd", { Pixel.solarizeAdd($0, addition: 40, threshold: 128) }),
  ("Posterize", { Pixel.posterize($0, bits: 4) }),
  ("Contrast", { Enhance.contrast($0, factor: 1.5) }),
  ("Color", { Enhance.color($0, factor: 1.5) }),
  ("Brightness", { Enhance.brightness($0, factor: 1.5) }),
  ("Sharpness", { Enhance.sharpness($0, factor: 1.5) }),
  ("Cutout", { Dropout.fillBox($0, box: Box(x: 4, y: 4, width: 16, height: 16), fill: [0]) }),
  ("HorizontalFlip", { Geometric.flipHorizontal($0) }),
  ("VerticalFlip", { Geometric.flipVertical($0) }),
  ("SamplePairing", { Mixing.blend($0, partner(of: $0), alpha: 0.5) }),
  ("PadCrop", { Crop.padCrop($0, padding: 4, x: 1, y: 7, fill: [0]) }),
  ("ResizeHalf", { Crop.resize($0, width: $0.width / 2, height: $0.height / 2, interpolation: .bilinear) }),
  // A whole policy per image: sampling plus pixels (DESIGN.md's anchor: torchvision's TrivialAugmentWide
  // runs at 19k / 6k images/s on these sizes).
  ("TrivialAugmentWide", { image in
    policyCounter &+= 1
    var rng = SplitMix64(seed: 1, index: policyCounter)
    return trivialAugment.augment(image, using: &rng).image
  }),
]

let images: [(String, Image)] = [
  ("28x28 grey", makeInput(width: 28, height: 28, channels: 1, seed: 7)),
  ("224x224 RGB", makeInput(width: 224, height: 224, channels: 3, seed: 11)),
]

let minimumSeconds = Double(ProcessInfo.processInfo.environment["BENCH_SECONDS"] ?? "") ?? 0.3
let only = CommandLine.arguments.dropFirst().first

/// Process CPU time: robust against other load on a shared machine (the Python half uses `time.process_time`).
func now() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

var sink = 0
for (opName, op) in ops where only == nil || only == opName {
  for (imageName, image) in images {
    // Three timed runs of at least `minimumSeconds`; report the best (least disturbed by other load).
    var best = 0.0
    for _ in 0..<3 {
      var iterations = 0
      let start = now()
      var elapsed = 0.0
      repeat {
        for _ in 0..<16 {
          let out = op(image)
          sink &+= Int(out.pixels[(sink & 0x7fff_ffff) % out.pixels.count])
        }
        iterations += 16
        elapsed = now() - start
      } while elapsed < minimumSeconds
      best = max(best, Double(iterations) / elapsed)
    }
    print("{\"library\": \"tessera\", \"op\": \"\(opName)\", \"image\": \"\(imageName)\", "
          + "\"images_per_s\": \(Int(best))}")
  }
}
if sink == 42 { print("") }  // keeps the results observable to the optimiser
