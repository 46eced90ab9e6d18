/// Write-once slots filled from concurrent workers, each index by exactly one worker.
final class ResultSlots<T>: @unchecked Sendable {
  // Safety: every index is written by exactly one worker, and `values()` is read only after the workers joined.
  private let storage: UnsafeMutableBufferPointer<T?>
  init(count: Int) {
    storage = .allocate(capacity: count)
    storage.initialize(repeating: nil)
  }
  deinit {
    storage.baseAddress!.deinitialize(count: storage.count)
    storage.deallocate()
  }
  func set(_ index: Int, _ value: T) { storage[index] = value }
  func values() -> [T] { storage.map { $0! } }
}
