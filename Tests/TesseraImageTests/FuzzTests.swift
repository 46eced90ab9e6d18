import Foundation
import Testing
import TesseraAugment
import TesseraTestSupport
@testable import TesseraImage

/// Seeded mutation fuzzing of both decoders: bit flips, truncations, inserted, overwritten and
/// duplicated bytes over a few fixtures; for PNG, half the mutants get their chunk CRCs repaired so the
/// damage reaches zlib and the row filters instead of stopping at the first CRC check.
///
/// Every mutant must decode to a well-formed image or throw an `ImageCodecError`; anything else (and a
/// crash, which ends the process) is a bug. Inputs that once failed are kept under Resources/corrupt/
/// (named fuzz-*) and replayed by `CodecFixtureTests.corruptFileThrowsItsExpectedCode`.
///
/// Environment, for longer campaigns outside CI:
/// - `TESSERA_FUZZ_ITERATIONS`: mutants per fixture (default 600, about 3600 in all).
/// - `TESSERA_FUZZ_SEED`: base seed (default 2024).
/// - `TESSERA_FUZZ_SAVE_DIR`: write each mutant to `<dir>/current-<fixture>` before decoding it, so the
///   input of a crash survives the crash (one file per fixture: the fixtures run in parallel).
@Suite struct FuzzTests {
  static let seeds = ["rgb8.png", "interlaced_palette2.png", "rgba16.png", "rgb420.jpg", "progressive.jpg", "cmyk.jpg"]

  @Test(arguments: seeds)
  func decoderSurvivesSeededMutations(of name: String) throws {
    let environment = ProcessInfo.processInfo.environment
    let iterations = environment["TESSERA_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 600
    let baseSeed = environment["TESSERA_FUZZ_SEED"].flatMap { UInt64($0) } ?? 2024
    let saveDirectory = environment["TESSERA_FUZZ_SAVE_DIR"]
    let original = Fixtures.bytes("images/" + name)
    let format = try #require(ImageFormat(sniffing: original))
    let options = ImageDecodingOptions(maxPixels: 1 << 20, maxProgressiveScans: 100)
    var rng = SplitMix64(seed: baseSeed &+ UInt64(truncatingIfNeeded: name.hashValueStable))
    var decoded = 0, rejected = 0
    var scratch = Image(width: 1, height: 1, channels: 1)

    for iteration in 0..<iterations {
      var input = Mutator.mutate(original, rng: &rng)
      if format == .png, rng.next() & 1 == 0 { input = Mutator.repairPNGCRCs(input) }
      if let saveDirectory {
        try Data(input).write(to: URL(fileURLWithPath: saveDirectory).appendingPathComponent("current-\(name)"))
      }
      let problem: String?
      // The reusing entry point must agree with the allocating one (it sniffs, so only when the
      // signature survived).
      let reused: Image? = ImageFormat(sniffing: input) == format ? {
        do { try decodeImage(bytes: input, into: &scratch, options: options); return scratch } catch { return nil }
      }() : nil
      do {
        let image = try input.withUnsafeBufferPointer { buffer throws(ImageCodecError) in
          try decode(buffer, as: format, options: options)
        }
        decoded += 1
        problem = image.width > 0 && image.height > 0 && image.pixelCount <= options.maxPixels
            && [1, 3, 4].contains(image.channels) && image.pixels.count == image.pixelCount * image.channels
          ? (ImageFormat(sniffing: input) == format && reused != image ? "decodeImage(into:) disagrees" : nil)
          : "decoded to an inconsistent image \(image.width)x\(image.height)x\(image.channels)"
      } catch {
        rejected += 1
        let allowed: [ImageCodecError.Code] = [.libraryError, .pixelLimitExceeded, .unsupported]
        problem = allowed.contains(error.code) && !error.function.isEmpty && !error.message.isEmpty
          ? (reused != nil ? "decodeImage(into:) decoded what decode rejected" : nil)
          : "unexpected error \(error.code): \(error)"
      }
      if let problem {
        let kept = FileManager.default.temporaryDirectory
          .appendingPathComponent("fuzz-\(name)-\(iteration).\(format.fileExtension)")
        try? Data(input).write(to: kept)
        Issue.record("\(name) mutant \(iteration): \(problem); input kept at \(kept.path)")
      }
    }
    // Rejections must occur, or the mutator is not reaching the decoder. JPEG mutants must also decode
    // sometimes (entropy-coded damage is survivable); PNG's CRCs and zlib's Adler-32 reject nearly all.
    #expect(rejected > 0, "\(name): \(decoded) decoded, \(rejected) rejected")
    if format == .jpeg { #expect(decoded > 0, "\(name): \(decoded) decoded, \(rejected) rejected") }
  }
}

/// Mutation strategies; all randomness comes from the seeded generator passed in.
enum Mutator {
  static func mutate(_ original: [UInt8], rng: inout SplitMix64) -> [UInt8] {
    var bytes = original
    let rounds = 1 + Int(rng.next() % 3)
    for _ in 0..<rounds where !bytes.isEmpty {
      switch rng.next() % 6 {
      case 0:  // flip 1...8 bits
        for _ in 0..<(1 + rng.next() % 8) {
          let i = Int(rng.next() % UInt64(bytes.count))
          bytes[i] ^= 1 << UInt8(rng.next() % 8)
        }
      case 1:  // truncate
        bytes.removeLast(Int(rng.next() % UInt64(bytes.count)))
      case 2:  // insert 1...16 random bytes
        let at = Int(rng.next() % UInt64(bytes.count + 1))
        bytes.insert(contentsOf: (0..<(1 + rng.next() % 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
      case 3:  // overwrite a run with an interesting value (lengths and sizes love 0x00 / 0xFF / 0x7F / 0x80)
        let at = Int(rng.next() % UInt64(bytes.count))
        let value: UInt8 = [0x00, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
        for i in at..<min(bytes.count, at + 1 + Int(rng.next() % 4)) { bytes[i] = value }
      case 4:  // duplicate a slice elsewhere
        let from = Int(rng.next() % UInt64(bytes.count))
        let length = min(bytes.count - from, 1 + Int(rng.next() % 64))
        let to = Int(rng.next() % UInt64(bytes.count))
        bytes.insert(contentsOf: bytes[from..<(from + length)], at: to)
      default:  // delete a slice
        let from = Int(rng.next() % UInt64(bytes.count))
        bytes.removeSubrange(from..<min(bytes.count, from + 1 + Int(rng.next() % 32)))
      }
    }
    return bytes
  }

  /// Rewrites every chunk's CRC so libpng accepts the (damaged) chunk data and has to deal with it.
  static func repairPNGCRCs(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var offset = 8
    while offset + 12 <= bytes.count {
      let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
      let end = offset + 8 + length
      guard length >= 0, end + 4 <= bytes.count else { break }
      let crc = CRC32.checksum(bytes[(offset + 4)..<end])
      for k in 0..<4 { bytes[end + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
      offset = end + 4
    }
    return bytes
  }
}

/// PNG's CRC-32 (ISO-HDLC, as zlib's crc32).
enum CRC32 {
  static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
  }
}

extension String {
  /// FNV-1a of the UTF-8 bytes: stable across runs, unlike `hashValue`.
  var hashValueStable: UInt64 {
    utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
  }
}
