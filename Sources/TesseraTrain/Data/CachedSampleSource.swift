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

  public func image(at index: Int) throws -> Image {
    if let hit = slots.withLock({ $0[index] }) { return hit }
    let decoded = try base.image(at: index)
    slots.withLock { $0[index] = decoded }
    return decoded
  }
}
