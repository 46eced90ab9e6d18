import TesseraImage

/// A labelled image dataset the loader can read in any order from any thread.
///
/// Implementations: `EncodedSampleSource` (encoded bytes from files or a store version),
/// `InMemorySampleSource` (decoded images), and `subset`/`cached` views over either.
public protocol SampleSource: Sendable {
  var count: Int { get }
  /// Class names; labels index into this.
  var classNames: [String] { get }
  func label(at index: Int) -> Int
  /// The decoded image of sample `index`.
  func image(at index: Int) throws -> Image
  /// Names sample `index` in error messages (a path, an object id).
  func describe(_ index: Int) -> String
}

extension SampleSource {
  public func describe(_ index: Int) -> String { "sample \(index)" }

  /// All labels, in sample order.
  public var labels: [Int] { (0..<count).map { label(at: $0) } }

  /// The samples at `indices`, in that order.
  public func subset(_ indices: [Int]) -> SubsetSampleSource {
    SubsetSampleSource(base: self, indices: indices)
  }

  /// This source with decoded images kept in memory after their first use, so later epochs skip
  /// reading and decoding.
  public func cached() -> CachedSampleSource { CachedSampleSource(base: self) }
}

/// One sample of an `EncodedSampleSource`: its label and where its bytes come from.
public struct EncodedSample: Sendable {
  public var label: Int
  /// A path or object id, for error messages.
  public var name: String
  public var load: @Sendable () throws -> [UInt8]

  public init(label: Int, name: String, load: @escaping @Sendable () throws -> [UInt8]) {
    self.label = label
    self.name = name
    self.load = load
  }
}

/// Samples whose bytes are PNG or JPEG files, decoded on demand with `decodeImage(bytes:)`.
public struct EncodedSampleSource: SampleSource {
  public var samples: [EncodedSample]
  public var classNames: [String]

  public init(samples: [EncodedSample], classNames: [String]) {
    self.samples = samples
    self.classNames = classNames
  }

  public var count: Int { samples.count }
  public func label(at index: Int) -> Int { samples[index].label }
  public func describe(_ index: Int) -> String { samples[index].name }

  public func image(at index: Int) throws -> Image {
    let sample = samples[index]
    let bytes: [UInt8]
    do { bytes = try sample.load() } catch { throw LoaderError.unreadable(sample.name, "\(error)") }
    do { return try decodeImage(bytes: bytes) } catch { throw LoaderError.undecodable(sample.name, "\(error)") }
  }
}

/// Decoded images held in memory.
public struct InMemorySampleSource: SampleSource {
  public var images: [Image]
  public var imageLabels: [Int]
  public var classNames: [String]

  public init(images: [Image], labels: [Int], classNames: [String]) {
    precondition(images.count == labels.count, "one label per image")
    self.images = images
    self.imageLabels = labels
    self.classNames = classNames
  }

  public var count: Int { images.count }
  public func label(at index: Int) -> Int { imageLabels[index] }
  public func image(at index: Int) throws -> Image { images[index] }
}

/// A view of some samples of another source.
public struct SubsetSampleSource: SampleSource {
  public let base: any SampleSource
  public let indices: [Int]

  public var count: Int { indices.count }
  public var classNames: [String] { base.classNames }
  public func label(at index: Int) -> Int { base.label(at: indices[index]) }
  public func image(at index: Int) throws -> Image { try base.image(at: indices[index]) }
  public func describe(_ index: Int) -> String { base.describe(indices[index]) }
}
