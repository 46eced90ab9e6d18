import Synchronization
import TesseraImage

/// Keeps each decoded image after its first read. Decoding happens outside the lock, so loader
/// threads never wait on each other's codecs; two threads decoding the same sample at once both
/// store the same image.
public final class CachedSampleSource: SampleSource {
  public let base: any SampleSource
  private let slots: Mutex<[Image?]>

  init(base: any SampleSource) {
    self.base = base
    slots = Mutex([Image?](repeating: nil, count: base.count))
  }

  public var count: Int { base.count }
  public var classNames: [String] { base.classNames }
  public func label(at index: Int) -> Int { base.label(at: index) }
  public func describe(_ index: Int) -> String { base.describe(index) }

  /// Decodes every sample now, on `threads` threads, so that training epochs do not.
  /// Rethrows the first failure (in sample order).
  public func warm(threads: Int) throws {
    let failures = TaskSlots<(Int, any Error)?>(repeating: nil, count: max(threads, 1))
    let count = self.count
    parallelFor(max(threads, 1), threads: threads) { t in
      let lo = t * count / max(threads, 1), hi = (t + 1) * count / max(threads, 1)
      for i in lo..<hi {
        do { _ = try self.image(at: i) } catch {
          failures[t] = (i, error)
          return
        }
      }
    }
    if let first = failures.all.compactMap({ $0 }).min(by: { $0.0 < $1.0 }) {
      throw first.1
    }
  }

  public func image(at index: Int) throws -> Image {
    if let hit = slots.withLock({ $0[index] }) { return hit }
    let decoded = try base.image(at: index)
    slots.withLock { $0[index] = decoded }
    return decoded
  }
}
