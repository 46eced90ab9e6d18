import Dispatch
import TesseraImage

/// The result of augmenting one batch: images in input order and, per image, what was applied.
public struct AugmentedBatch: Sendable, Hashable {
  public var images: [Image]
  public var applied: [[AppliedOp]]
}

/// Augments batches in parallel with a different, reproducible set of parameters per sample.
///
/// Sample i of a batch draws from `SplitMix64(seed: seed, index: firstIndex + i)`, so its bytes depend only on
/// (seed, global sample index) — not on the batch split, the thread count or the order threads finish in.
/// SamplePairing partners are the batch's input images.
public func augmentBatch(_ images: [Image], policy: some AugmentationPolicy, seed: UInt64, firstIndex: Int = 0,
                         threads: Int = defaultAugmentThreads) -> AugmentedBatch {
  let n = images.count
  guard n > 0 else { return AugmentedBatch(images: [], applied: []) }
  let results = ResultSlots<(Image, [AppliedOp])>(count: n)
  let workers = max(1, min(threads, n))
  // Contiguous chunks per worker; the per-sample generator makes the split irrelevant to the output.
  DispatchQueue.concurrentPerform(iterations: workers) { worker in
    let start = worker * n / workers, end = (worker + 1) * n / workers
    for i in start..<end {
      var rng = SplitMix64(seed: seed, index: UInt64(firstIndex + i))
      let (image, ops) = policy.augment(images[i], partners: images, using: &rng)
      results.set(i, (image, ops))
    }
  }
  let all = results.values()
  return AugmentedBatch(images: all.map(\.0), applied: all.map(\.1))
}

/// Replays recorded ops on a batch (no randomness involved).
public func replayBatch(_ images: [Image], applied: [[AppliedOp]], threads: Int = defaultAugmentThreads) -> [Image] {
  precondition(images.count == applied.count, "one op list per image")
  let n = images.count
  guard n > 0 else { return [] }
  let results = ResultSlots<Image>(count: n)
  let workers = max(1, min(threads, n))
  DispatchQueue.concurrentPerform(iterations: workers) { worker in
    for i in (worker * n / workers)..<((worker + 1) * n / workers) {
      results.set(i, applied[i].apply(to: images[i], partners: images))
    }
  }
  return results.values()
}

/// Number of worker threads batch augmentation uses by default: the machine's active processors.
public let defaultAugmentThreads: Int = {
  #if canImport(Glibc)
  return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  #else
  return 2
  #endif
}()

#if canImport(Glibc)
import Glibc
#endif

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
