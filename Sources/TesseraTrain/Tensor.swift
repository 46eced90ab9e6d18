/// A dense float32 tensor in row-major order; image batches are NCHW.
public struct Tensor: Sendable, Equatable {
  public var shape: [Int]
  public var storage: [Float]

  public init(shape: [Int], storage: [Float]) {
    precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) elements")
    self.shape = shape
    self.storage = storage
  }

  public init(zeros shape: [Int]) {
    self.init(shape: shape, storage: [Float](repeating: 0, count: shape.reduce(1, *)))
  }

  public var count: Int { storage.count }
}
