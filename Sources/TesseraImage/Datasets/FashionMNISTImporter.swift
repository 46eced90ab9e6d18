import Dispatch
import Foundation

/// Writes Fashion-MNIST as an image folder: `<destination>/<split>/<class>/<index>.png`, where split is
/// `train` or `test`, class one of `FashionMNIST.classNames`, and index the image's position in its
/// split's IDX file (0-based, not zero-padded). Every file is a 28 x 28 8-bit grey PNG.
///
/// Encoding and writing run on all cores (`DispatchQueue.concurrentPerform` over chunks of images).
public struct FashionMNISTImporter: Sendable {
  public var source: URL
  public var destination: URL
  /// Write into a destination that already has files (same-named files are replaced; others are left).
  public var overwrite: Bool
  /// zlib level of the PNGs. 28 x 28 images compress to within a few percent at level 1 as at 9, and
  /// level 1 encodes several times faster.
  public var compressionLevel: Int
  public var rowFilter: PNGRowFilter

  public init(source: URL = URL(fileURLWithPath: FashionMNIST.defaultSourcePath), destination: URL,
              overwrite: Bool = false, compressionLevel: Int = 1, rowFilter: PNGRowFilter = .none) {
    self.source = source
    self.destination = destination
    self.overwrite = overwrite
    self.compressionLevel = compressionLevel
    self.rowFilter = rowFilter
  }

  /// Reads, validates, then writes every image. `progress(done, total)` is called from worker threads,
  /// one call at a time, after each chunk.
  public func run(progress: (@Sendable (Int, Int) -> Void)? = nil) throws(DatasetImportError) -> ImportSummary {
    let start = DispatchTime.now()
    try checkDestination()
    let splits = try FashionMNIST.load(from: source)
    let root = destination.standardizedFileURL.path
    // Folders first, on one thread, so workers only create files.
    for split in splits {
      for name in FashionMNIST.classNames { try POSIXFile.makeDirectories("\(root)/\(split.name)/\(name)") }
    }

    let chunkSize = 500
    let jobs: [(split: Int, range: Range<Int>)] = splits.enumerated().flatMap { s, split in
      stride(from: 0, to: split.count, by: chunkSize).map { (s, $0..<min(split.count, $0 + chunkSize)) }
    }
    let total = splits.reduce(0) { $0 + $1.count }
    let state = ImportState()
    let level = compressionLevel, filter = rowFilter
    DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
      guard !state.failed else { return }
      let (s, range) = jobs[j]
      let split = splits[s]
      let size = split.rows * split.columns
      var bytes = 0
      do throws(DatasetImportError) {
        try split.images.withUnsafeBufferPointer { all throws(DatasetImportError) in
          for index in range {
            let pixels = UnsafeBufferPointer(rebasing: all[(index * size)..<((index + 1) * size)])
            let path = "\(root)/\(split.name)/\(FashionMNIST.classNames[Int(split.labels[index])])/\(index).png"
            let png: [UInt8]
            do {
              png = try encodePNG(pixels: pixels, width: split.columns, height: split.rows, channels: 1,
                                  compressionLevel: level, filter: filter)
            } catch {
              throw DatasetImportError(.outputFailed, path: path, "\(error)")
            }
            try POSIXFile.writeFile(png, toPath: path)
            bytes += png.count
          }
        }
        state.finished(range.count, bytes: bytes, total: total, progress: progress)
      } catch {
        state.fail(error)
      }
    }
    if let error = state.error { throw error }

    var perClass: [String: [String: Int]] = [:]
    for split in splits {
      var counts = [Int](repeating: 0, count: FashionMNIST.classNames.count)
      for label in split.labels { counts[Int(label)] += 1 }
      perClass[split.name] = Dictionary(uniqueKeysWithValues: zip(FashionMNIST.classNames, counts))
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    return ImportSummary(
      dataset: "fashion-mnist", source: source.path, destination: root,
      images: Dictionary(uniqueKeysWithValues: splits.map { ($0.name, $0.count) }),
      classes: perClass, files: total, bytes: state.bytes, seconds: seconds)
  }

  /// A destination that does not exist or is an empty folder is fine; a non-empty one needs `overwrite`.
  private func checkDestination() throws(DatasetImportError) {
    let path = destination.path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else {
      throw DatasetImportError(.outputExists, path: path, "exists and is not a folder")
    }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    if !entries.isEmpty && !overwrite {
      throw DatasetImportError(.outputExists, path: path,
        "is not empty (\(entries.count) entries); choose another folder or pass --force to write into it")
    }
  }
}

/// Progress and the first failure, shared by the worker threads.
private final class ImportState: @unchecked Sendable {
  private let lock = NSLock()
  private var done = 0
  private var _bytes = 0
  private var _error: DatasetImportError?

  var failed: Bool { lock.withLock { _error != nil } }
  var error: DatasetImportError? { lock.withLock { _error } }
  var bytes: Int { lock.withLock { _bytes } }

  func finished(_ count: Int, bytes: Int, total: Int, progress: (@Sendable (Int, Int) -> Void)?) {
    lock.withLock {
      done += count
      _bytes += bytes
      progress?(done, total)
    }
  }

  func fail(_ error: DatasetImportError) {
    lock.withLock { if _error == nil { _error = error } }
  }
}
