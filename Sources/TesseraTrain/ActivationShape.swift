/// The size of a batch flowing between layers: `n` samples of `c × h × w` values.
/// Features after `Flatten` are `c` channels of 1 × 1.
public struct ActivationShape: Sendable, Hashable, Codable, CustomStringConvertible {
  public var n: Int
  public var c: Int
  public var h: Int
  public var w: Int

  public init(n: Int, c: Int, h: Int = 1, w: Int = 1) {
    self.n = n
    self.c = c
    self.h = h
    self.w = w
  }

  public var count: Int { n * c * h * w }
  /// Values per channel plane of one sample.
  public var plane: Int { h * w }
  /// Values per sample.
  public var perSample: Int { c * h * w }

  public var description: String { "\(n)x\(c)x\(h)x\(w)" }
}

/// A borrowed view of a batch in the trainer's internal layout, channel-major `[C, N, H, W]`.
///
/// Why not NCHW inside: a convolution computed as one GEMM over the whole batch produces
/// `[Cout, N·H·W]`, which *is* this layout, so no transpose is needed after any conv, and
/// batch norm sees each channel as one contiguous run. Public tensors stay NCHW; conversion
/// happens once at the model's input and output.
///
/// The memory belongs to the layer that produced it and stays valid until that layer's next pass.
public struct Activation {
  public var shape: ActivationShape
  public var data: UnsafeMutablePointer<Float>

  public init(shape: ActivationShape, data: UnsafeMutablePointer<Float>) {
    self.shape = shape
    self.data = data
  }

  /// The `h × w` plane of channel `c` of sample `n`.
  @inline(__always) func plane(c: Int, n: Int) -> UnsafeMutablePointer<Float> {
    data + (c * shape.n + n) * shape.plane
  }
}
