import Dispatch
import TesseraImage

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

