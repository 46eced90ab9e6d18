import Foundation
import TesseraStore

/// A trainer's state between epochs, as stored on disk.
///
/// File layout: the 8 bytes `TSRCKPT1`, a little-endian UInt64 header length, a JSON header
/// (this struct without the float arrays), then the float arrays as raw little-endian IEEE 754
/// values — parameters, running statistics, optimizer buffers — in the order and sizes the
/// header lists. Raw floats, not JSON numbers, so a resume continues from the exact bits.
struct CheckpointHeader: Codable {
  var configuration: TrainingConfiguration
  var spec: ModelSpec
  var classNames: [String]
  var normalization: Normalization
  var schedule: LearningRateSchedule
  var completedEpochs: Int
  var step: Int
  var history: [EpochReport]
  /// The optimizer with its buffers emptied (they follow as raw floats).
  var optimizer: OptimizerState
  /// Sizes of the float arrays that follow, in order.
  var arrays: [Int]
}

/// A checkpoint that cannot be read; the message names the file.
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
  public var description: String
  init(_ url: URL, _ problem: String) { description = "\(url.path): \(problem)" }
}

extension Trainer {
  private static let magic = Array("TSRCKPT1".utf8)

  /// Writes the trainer's state to `url` atomically (temporary file, fsync, rename), so a crash
  /// leaves the previous checkpoint intact.
  public func saveCheckpoint(to url: URL) throws {
    var stripped = optimizer
    var buffers: [[Float]] = []
    switch optimizer {
    case .sgd(var o):
      buffers = [o.velocity]
      o.velocity = []
      stripped = .sgd(o)
    case .adamw(var o):
      buffers = [o.firstMoment, o.secondMoment]
      o.firstMoment = []
      o.secondMoment = []
      stripped = .adamw(o)
    }
    let arrays = [model.values.array, model.state.array] + buffers
    let header = CheckpointHeader(
      configuration: configuration, spec: spec, classNames: classNames, normalization: normalization,
      schedule: schedule, completedEpochs: completedEpochs, step: step, history: history, optimizer: stripped,
      arrays: arrays.map(\.count))
    let json = try JSONEncoder().encode(header)
    var data = Data(Trainer.magic)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for array in arrays {
      array.withUnsafeBytes { raw in
        // x86-64 and arm64 are little-endian; the format is defined as little-endian.
        data.append(contentsOf: raw)
      }
    }
    do {
      try writeFileAtomically(data, to: url)
    } catch {
      throw CheckpointError(url, "cannot write: \(error)")
    }
  }

  /// A trainer restored from `url`, ready to continue with epoch `completedEpochs + 1`.
  /// `threads` and `loaderThreads` may differ from the saved run: they do not change results.
  public static func resume(from url: URL, threads: Int? = nil, loaderThreads: Int? = nil) throws -> Trainer {
    let data: Data
    do { data = try Data(contentsOf: url) } catch { throw CheckpointError(url, "cannot read: \(error.localizedDescription)") }
    let bytes = [UInt8](data)
    guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
      throw CheckpointError(url, "not a Tessera checkpoint (bad magic)")
    }
    var length: UInt64 = 0
    for i in 0..<8 { length |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
    guard length <= UInt64(bytes.count - 16) else { throw CheckpointError(url, "truncated header") }
    let headerEnd = 16 + Int(length)
    let header: CheckpointHeader
    do {
      header = try JSONDecoder().decode(CheckpointHeader.self, from: Data(bytes[16..<headerEnd]))
    } catch {
      throw CheckpointError(url, "unreadable header: \(error)")
    }
    let floats = header.arrays.reduce(0, +)
    guard bytes.count == headerEnd + floats * 4 else {
      throw CheckpointError(url, "expected \(floats) floats after the header, file has \(bytes.count - headerEnd) bytes")
    }
    var arrays: [[Float]] = []
    var offset = headerEnd
    for count in header.arrays {
      var array = [Float](repeating: 0, count: count)
      array.withUnsafeMutableBytes { raw in
        bytes.withUnsafeBytes { src in raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + count * 4)])) }
      }
      arrays.append(array)
      offset += count * 4
    }
    var configuration = header.configuration
    if let threads { configuration.threads = threads }
    if let loaderThreads { configuration.loaderThreads = loaderThreads }
    let trainer = try Trainer(configuration: configuration, spec: header.spec, classNames: header.classNames,
                              normalization: header.normalization, stepsPerEpoch: header.schedule.stepsPerEpoch)
    guard trainer.schedule == header.schedule else { throw CheckpointError(url, "schedule does not match its configuration") }
    guard arrays.count >= 2, arrays[0].count == trainer.model.layout.count,
          arrays[1].count == trainer.model.layout.stateCount else {
      throw CheckpointError(url, "parameter count does not match model \(header.spec.name)")
    }
    trainer.model.values.assign(arrays[0])
    trainer.model.state.assign(arrays[1])
    switch header.optimizer {
    case .sgd(var o):
      guard arrays.count == 3 else { throw CheckpointError(url, "SGD state missing") }
      o.velocity = arrays[2]
      trainer.optimizer = .sgd(o)
    case .adamw(var o):
      guard arrays.count == 4 else { throw CheckpointError(url, "AdamW state missing") }
      o.firstMoment = arrays[2]
      o.secondMoment = arrays[3]
      trainer.optimizer = .adamw(o)
    }
    trainer.restoreProgress(completedEpochs: header.completedEpochs, step: header.step, history: header.history)
    return trainer
  }
}
