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
