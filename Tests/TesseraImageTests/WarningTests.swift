import Foundation
import Testing
import TesseraImage
#if canImport(Glibc)
import Glibc
#endif

@Suite struct WarningTests {
  /// Bytes before a marker make libjpeg warn ("Corrupt JPEG data: 3 extraneous bytes before marker").
  /// The file still decodes, identically, and the warning must not reach stderr: libjpeg's default
  /// output_message would print it.
  @Test func jpegWarningsAreNotPrinted() throws {
    let original = Fixtures.bytes("images/rgb420.jpg")
    var damaged = original
    let sos = try #require((0..<(damaged.count - 1)).first { damaged[$0] == 0xFF && damaged[$0 + 1] == 0xDA })
    damaged.insert(contentsOf: [0x12, 0x34, 0x56], at: sos)

    var image: Image?
    let printed = try capturingStandardError { image = try decodeImage(bytes: damaged) }
    #expect(image == (try decodeImage(bytes: original)))
    // Other tests may write to stderr meanwhile, so look for libjpeg's words rather than for silence.
    #expect(!printed.contains("extraneous") && !printed.contains("Corrupt JPEG"), "\(printed)")
  }
}

/// Runs `body` with file descriptor 2 redirected to a temporary file; returns what was written.
func capturingStandardError(_ body: () throws -> Void) throws -> String {
  fflush(nil)  // all streams; `stderr` itself is not concurrency-safe to name
  let saved = dup(2)
  guard saved >= 0, let file = tmpfile() else { throw POSIXError(.EBADF) }
  defer { fclose(file) }
  dup2(fileno(file), 2)
  defer {
    fflush(nil)
    dup2(saved, 2)
    close(saved)
  }
  try body()
  fflush(nil)
  let size = lseek(fileno(file), 0, SEEK_END)
  lseek(fileno(file), 0, SEEK_SET)
  var bytes = [UInt8](repeating: 0, count: Int(max(0, size)))
  _ = bytes.withUnsafeMutableBytes { read(fileno(file), $0.baseAddress, $0.count) }
  return String(decoding: bytes, as: UTF8.self)
}
