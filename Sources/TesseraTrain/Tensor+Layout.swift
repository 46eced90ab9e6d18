extension Tensor {
  /// This NCHW (or N×F) tensor in the trainer's channel-major layout `[C, N, H, W]`.
  public func channelMajor() -> [Float] {
    let (n, c, plane) = Tensor.dimensions(shape)
    var out = [Float](repeating: 0, count: count)
    for s in 0..<n {
      for ch in 0..<c {
        for p in 0..<plane { out[(ch * n + s) * plane + p] = storage[(s * c + ch) * plane + p] }
      }
    }
    return out
  }

  /// An NCHW tensor of `shape` from values in channel-major layout.
  public init(shape: [Int], channelMajor values: [Float]) {
    let (n, c, plane) = Tensor.dimensions(shape)
    precondition(values.count == n * c * plane, "shape \(shape) does not match \(values.count) values")
    var out = [Float](repeating: 0, count: values.count)
    for s in 0..<n {
      for ch in 0..<c {
        for p in 0..<plane { out[(s * c + ch) * plane + p] = values[(ch * n + s) * plane + p] }
      }
    }
    self.init(shape: shape, storage: out)
  }

  /// The activation shape of an NCHW (or N×F) tensor.
  public var activationShape: ActivationShape {
    precondition(shape.count == 2 || shape.count == 4, "expected an N×F or NCHW shape, got \(shape)")
    return shape.count == 2 ? ActivationShape(n: shape[0], c: shape[1])
      : ActivationShape(n: shape[0], c: shape[1], h: shape[2], w: shape[3])
  }

  private static func dimensions(_ shape: [Int]) -> (Int, Int, Int) {
    precondition(shape.count == 2 || shape.count == 4, "expected an N×F or NCHW shape, got \(shape)")
    return (shape[0], shape[1], shape.count == 4 ? shape[2] * shape[3] : 1)
  }
}
