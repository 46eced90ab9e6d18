/// A 64-byte-aligned float scratch area owned by one layer or replica and reused across steps.
///
/// Layers write their outputs and gradients here instead of allocating arrays per pass: a
/// fresh `[Float]` per layer per step costs an allocation, a zero-fill and page faults, which
/// at these sizes is as much work as the arithmetic.
final class FloatBuffer {
  private(set) var pointer: UnsafeMutablePointer<Float>
  private(set) var capacity: Int

  init(capacity: Int = 0) {
    self.capacity = max(capacity, 16)
    pointer = FloatBuffer.allocate(self.capacity)
  }

  deinit { pointer.deallocate() }

  /// Room for `count` floats; contents are unspecified after growing.
  func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count > capacity {
      pointer.deallocate()
      capacity = count
      pointer = FloatBuffer.allocate(count)
    }
    return pointer
  }

  /// Room for `count` floats, all zero.
  func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
    let p = reserve(count)
    p.update(repeating: 0, count: count)
    return p
  }

  private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
      .bindMemory(to: Float.self, capacity: count)
  }
}

/// A fixed-size float array shared between threads under the trainer's step discipline:
/// workers only read it (or write disjoint parts) between two barriers, and the optimizer
/// writes it while no worker runs. That discipline, not a lock, is what makes it safe.
final class SharedFloats: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  let count: Int

  init(count: Int) {
    self.count = count
    pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
      .bindMemory(to: Float.self, capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: max(count, 1))
  }

  convenience init(_ values: [Float]) {
    self.init(count: values.count)
    values.withUnsafeBufferPointer { src in
      if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
    }
  }

  deinit { pointer.deallocate() }

  var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  func zero() { pointer.update(repeating: 0, count: count) }

  func copy(from other: SharedFloats) {
    precondition(other.count == count, "buffer sizes differ")
    pointer.update(from: other.pointer, count: count)
  }

  func assign(_ values: [Float]) {
    precondition(values.count == count, "expected \(count) values, got \(values.count)")
    values.withUnsafeBufferPointer { src in
      if let base = src.baseAddress { pointer.update(from: base, count: count) }
    }
  }
}
