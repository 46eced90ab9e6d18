import CPixelKernels
/// Kernels for Pillow's float32 blend and 3×3 smoothing.
enum BlendKernels {
  /// dst[i] = blend(deg[i], src[i], α) for n samples (`Image.blend(degenerate, image, α)`).
  static func blend(degenerate deg: UnsafePointer<UInt8>, image src: UnsafePointer<UInt8>,
                    into dst: UnsafeMutablePointer<UInt8>, count n: Int, alpha: Float) {
    // In C, compiled for AVX-512 / AVX2 / baseline and picked at load time (Swift code is baseline SSE2 only).
    tessera_blend(deg, src, dst, n, alpha)
  }

  /// One interior row of `filter(SMOOTH)`: samples lo..<hi, neighbours `step` apart.
  ///
  /// Pillow computes 0.5 + Σ kᵢ·pᵢ in float32 with kernel 1/13 (5/13 centre) and truncates. With S = Σ pᵢ + 4·centre
  /// the exact value is S/13 + 0.5, which is never within 1/26 of an integer, while float32 rounding moves it by
  /// less than 10⁻³ — so the integer (2S + 13) / 26 is the same byte, and vectorises.
  static func smoothRow(above: UnsafePointer<UInt8>, here: UnsafePointer<UInt8>, below: UnsafePointer<UInt8>,
                        into out: UnsafeMutablePointer<UInt8>, from lo: Int, to hi: Int, step c: Int) {
    guard lo < hi else { return }
    // Neighbours through shifted base pointers: checked `i ± c` index arithmetic would stop vectorisation.
    // S ≤ 13·255, so 2S + 13 fits in UInt16.
    let aL = above - c, aR = above + c, hL = here - c, hR = here + c, bL = below - c, bR = below + c
    for i in lo..<hi {
      let rowA = UInt16(aL[i]) &+ UInt16(above[i]) &+ UInt16(aR[i])
      let rowH = UInt16(hL[i]) &+ 5 &* UInt16(here[i]) &+ UInt16(hR[i])
      let rowB = UInt16(bL[i]) &+ UInt16(below[i]) &+ UInt16(bR[i])
      let s = rowA &+ rowH &+ rowB
      out[i] = UInt8(truncatingIfNeeded: (2 &* s &+ 13) / 26)
    }
  }
}
