import Dispatch
import TesseraImage

/// Offline augmentation of a dataset version: K augmented copies of every image of a split, encoded like their
/// source (what `tessera augment` commits as a new version). Store-agnostic: callers hand in the source bytes and
/// store the outputs, so a library user can write them anywhere.
///
/// Copy `c` (1…K) of source image `i` (its position among the split's images, sorted by path) is sample `i` of a
/// batch augmented with seed `copySeed(c)`, through ``augmentBatch(_:policy:seed:firstIndex:threads:)``: its bytes
/// depend on (seed, i, c) and — for SamplePairing, whose partners are the batch — on the fixed chunk of
/// ``chunkSize`` images `i` falls in; never on the thread count.
public struct VersionAugmentation: Sendable {
  public var policy: PolicyFile
  /// SHA-256 of the policy file's bytes, recorded as provenance.
  public var policySHA256: String
  public var seed: UInt64
  public var copies: Int
  public var split: String
  public var threads: Int

  /// Images per batch; fixed, because SamplePairing partners come from the batch.
  public static let chunkSize = 256
  /// JPEG quality of augmented copies of JPEG images.
  public static let jpegQuality = 95

  public init(policy: PolicyFile, policySHA256: String, seed: UInt64, copies: Int, split: String,
              threads: Int = defaultAugmentThreads) {
    self.policy = policy
    self.policySHA256 = policySHA256
    self.seed = seed
    self.copies = copies
    self.split = split
    self.threads = threads
  }

  /// One image of the version to augment.
  public struct Source: Sendable {
    public var path: String
    public var label: String?
    public var bytes: [UInt8]
    public init(path: String, label: String?, bytes: [UInt8]) {
      self.path = path
      self.label = label
      self.bytes = bytes
    }
  }

  /// One augmented copy to add to the new version.
  public struct Output: Sendable {
    public var path: String
    public var sourcePath: String
    public var label: String?
    public var copy: Int
    public var bytes: [UInt8]
  }

  /// A source image that could not be decoded or a copy that could not be encoded.
  public struct Failure: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
  }

  /// `train/Coat/00017.png` → `train/Coat/00017.aug1.png` (copy 1); the extension follows the encoded format.
  public static func copyPath(_ path: String, copy: Int, format: ImageFormat) -> String {
    let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
    let name = path[slash...]
    let stem = name.lastIndex(of: ".").map { name[..<$0] } ?? name
    let ext = format == .jpeg ? (name.lowercased().hasSuffix(".jpeg") ? "jpeg" : "jpg") : "png"
    return String(path[..<slash]) + stem + ".aug\(copy)." + ext
  }

  /// The seed copy `c` is drawn with: distinct streams per copy, all determined by `seed`.
  public func copySeed(_ copy: Int) -> UInt64 {
    var mixer = SplitMix64(seed: seed, index: 0x434F_5059_0000 &+ UInt64(copy))
    return mixer.next()
  }

  /// The default branch: `augmented/<policy name>-s<seed>`.
  public var defaultBranch: String { "augmented/\(policy.name)-s\(seed)" }

  /// Augments one chunk of sources whose first image is number `firstIndex` of the split.
  /// Outputs come copy by copy in source order.
  public func augment(_ sources: [Source], firstIndex: Int) throws(Failure) -> [Output] {
    let n = sources.count
    guard n > 0, copies > 0 else { return [] }
    let decoded = ResultSlots<Result<(Image, ImageFormat), Failure>>(count: n)
    let workers = max(1, min(threads, n))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      for i in (w * n / workers)..<((w + 1) * n / workers) {
        let source = sources[i]
        do {
          let format = ImageFormat(sniffing: source.bytes) ?? .png
          decoded.set(i, .success((try decodeImage(bytes: source.bytes), format)))
        } catch {
          decoded.set(i, .failure(Failure(path: source.path, message: "cannot decode: \(error)")))
        }
      }
    }
    var images: [Image] = [], formats: [ImageFormat] = []
    for result in decoded.values() {
      switch result {
      case let .success((image, format)):
        images.append(image)
        formats.append(format)
      case let .failure(failure): throw failure
      }
    }
    let formatOf = formats
    var outputs: [Output] = []
    for copy in 1...copies {
      let batch = augmentBatch(images, policy: policy.policy, seed: copySeed(copy), firstIndex: firstIndex,
                               threads: threads)
      let encoded = ResultSlots<Result<[UInt8], Failure>>(count: n)
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        for i in (w * n / workers)..<((w + 1) * n / workers) {
          do {
            let bytes = formatOf[i] == .jpeg ? try encodeJPEG(batch.images[i], quality: VersionAugmentation.jpegQuality)
                                            : try encodePNG(batch.images[i])
            encoded.set(i, .success(bytes))
          } catch {
            encoded.set(i, .failure(Failure(path: sources[i].path, message: "cannot encode copy \(copy): \(error)")))
          }
        }
      }
      for (i, result) in encoded.values().enumerated() {
        switch result {
        case let .success(bytes):
          outputs.append(Output(path: VersionAugmentation.copyPath(sources[i].path, copy: copy, format: formats[i]),
                                sourcePath: sources[i].path, label: sources[i].label, copy: copy, bytes: bytes))
        case let .failure(failure): throw failure
        }
      }
    }
    return outputs
  }

  /// The new version's message: a summary line, then the provenance as `Key: value` lines.
  public func commitMessage(sourceVersion: String, policyPath: String, images: Int) -> String {
    """
    Augment \(split) of \(sourceVersion.prefix(12)) with \(policy.name): \(copies) cop\(copies == 1 ? "y" : "ies") per image, seed \(seed)

    Source-Version: \(sourceVersion)
    Policy-Name: \(policy.name)
    Policy-Kind: \(policy.policy.kind)
    Policy-File: \(policyPath)
    Policy-SHA256: \(policySHA256)
    Seed: \(seed)
    Copies: \(copies)
    Split: \(split)
    Images: \(images) source images, \(images * copies) augmented copies
    Generator: tessera augment (SplitMix64 per copy seed and sample index; batches of \(VersionAugmentation.chunkSize))
    """
  }
}
