import Testing
import TesseraImage
import TesseraTestSupport
@testable import TesseraAugment

/// The bilinear affine kernel's AVX2 and AVX-512 paths must give the scalar path's bytes (which the Pillow
/// reference cases check) for every shape: tiny images where the last 4-byte read is clamped, widths that leave a
/// scalar tail, transforms that map partly or wholly outside the input.
struct AffineKernelTests {
  static let transforms: [[Double]] = [
    [1, 0, 0, 0, 1, 0],  // identity: every dx, dy is 0
    [1, 0.3, -2, 0, 1, 0],  // ShearX
    [1, 0, 3.7, 0, 1, -1.25],  // translate by fractions
    [0.8660254037844386, 0.5, -3.1, -0.5, 0.8660254037844386, 5.2],  // rotate 30°
    [0.5, 0, 0, 0, 0.5, 0],  // magnify
    [2.5, -0.7, 1, 0.9, 1.9, -4],  // shrink and skew: many points outside
    [1, 0, 1e6, 0, 1, 0],  // all outside
    [-1, 0, 7, 0, -1, 9],  // mirror
  ]

  @Test(arguments: [1, 3, 4])
  func vectorPathsMatchScalar(channels: Int) {
    var random = SplitMix64(seed: UInt64(channels))
    let sizes = [(1, 1), (2, 1), (1, 3), (3, 2), (5, 5), (8, 1), (9, 7), (17, 9), (31, 33), (64, 3)]
    let levels: [Int32] = [1, 2]
    for (w, h) in sizes {
      let image = Image(width: w, height: h, channels: channels, pixels: random.bytes(w * h * channels))
      let fill = random.bytes(channels)
      for a in Self.transforms {
        let scalar = Geometric.bilinear(image, a, fill, vectorLevel: 0)
        for level in levels {
          let vector = Geometric.bilinear(image, a, fill, vectorLevel: level)
          #expect(vector.pixels == scalar.pixels, "\(w)×\(h)×\(channels) \(a) at vector level \(level)")
        }
      }
    }
  }

  @Test(arguments: [1, 3, 4])
  func nearestVectorCopyMatchesScalar(channels: Int) {
    var random = SplitMix64(seed: 20 + UInt64(channels))
    let sizes = [(1, 1), (16, 2), (17, 17), (28, 28), (47, 33), (224, 9)]
    for (w, h) in sizes {
      let image = Image(width: w, height: h, channels: channels, pixels: random.bytes(w * h * channels))
      let fill = random.bytes(channels)
      for a in Self.transforms {
        let scalar = Geometric.fixedPointNearest(image, a, fill, vectorLevel: 0)
        let vector = Geometric.fixedPointNearest(image, a, fill, vectorLevel: 1)
        #expect(vector.pixels == scalar.pixels, "nearest \(w)×\(h)×\(channels) \(a)")
      }
    }
  }

  @Test func scalarPathInterpolatesClampsAndFills() {
    // 2×1 grey [10, 250], sampled a quarter pixel to the right: output x=0 reads a quarter of the way from 10 to
    // 250, x=1 lands past the last centre (second tap clamped); a shift of one whole width lands outside.
    let image = Image(width: 2, height: 1, channels: 1, pixels: [10, 250])
    let quarter = Geometric.bilinear(image, [1, 0, 0.25, 0, 1, 0], [7], vectorLevel: 0)
    #expect(quarter.pixels == [70, 250])
    let outside = Geometric.bilinear(image, [1, 0, 2, 0, 1, 0], [7], vectorLevel: 0)
    #expect(outside.pixels == [7, 7])
  }
}

/// The bilinear resize's vector passes (AVX-512 vertical, VBMI + VNNI horizontal) must give the scalar passes'
/// bytes, which follow Pillow's Resample.c: shrinking, enlarging, one axis or both, sizes that leave partial blocks,
/// factors too large for the horizontal pass's 128-byte window (which then falls back to the scalar loop).
struct ResizeKernelTests {
  @Test(arguments: [1, 3, 4])
  func vectorPassesMatchScalar(channels: Int) {
    var random = SplitMix64(seed: 40 + UInt64(channels))
    let shapes: [(Int, Int, Int, Int)] = [
      (224, 224, 112, 112), (28, 28, 14, 14), (224, 224, 100, 150), (37, 23, 18, 23), (37, 23, 37, 11),
      (5, 3, 16, 9), (64, 64, 8, 8), (200, 40, 7, 39), (1, 1, 3, 2), (3, 1, 1, 1), (130, 2, 64, 1),
      (33, 17, 66, 34), (512, 4, 17, 4),
    ]
    for (w, h, ow, oh) in shapes {
      let image = Image(width: w, height: h, channels: channels, pixels: random.bytes(w * h * channels))
      let scalar = Crop.resizeBilinear(image, width: ow, height: oh, vectorLevel: 0)
      let vector = Crop.resizeBilinear(image, width: ow, height: oh, vectorLevel: 1)
      #expect(scalar.width == ow && scalar.height == oh && scalar.channels == channels)
      #expect(vector.pixels == scalar.pixels, "\(w)×\(h) → \(ow)×\(oh), \(channels) channels")
    }
  }

  @Test func halvingAveragesWithPillowsTriangleWeights() {
    // A 2× shrink weighs inputs 1/8, 3/8, 3/8, 1/8 around each interior output and renormalises the three
    // remaining weights at a border (3/7, 3/7, 1/7), then rounds. One row of 8 grey samples, halved horizontally:
    // x=0: (3·0 + 3·80 + 160) / 7 = 57.1; x=1: (80 + 3·160 + 3·240 + 0) / 8 = 160; the same bytes as Pillow 13.
    let image = Image(width: 8, height: 1, channels: 1, pixels: [0, 80, 160, 240, 0, 80, 160, 240])
    let half = Crop.resizeBilinear(image, width: 4, height: 1, vectorLevel: 0)
    #expect(half.pixels == [57, 160, 80, 183])
  }
}
