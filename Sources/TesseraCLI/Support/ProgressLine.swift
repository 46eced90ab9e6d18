import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A single self-overwriting status line on stderr when it is a terminal; silent when piped.
public final class ProgressLine: @unchecked Sendable {
  private let label: String
  private let enabled: Bool
  private let lock = NSLock()
  private var lastDraw = 0.0

  public init(_ label: String, enabled: Bool = isatty(2) != 0) {
    self.label = label
    self.enabled = enabled
  }

  public func update(_ done: Int, _ total: Int) {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date().timeIntervalSince1970
    guard now - lastDraw > 0.1 || done == total else { return }
    lastDraw = now
    let pct = total > 0 ? Int(Double(done) * 100 / Double(total)) : 100
    FileHandle.standardError.write(Data("\r\(label): \(done)/\(total) (\(pct)%)\u{1B}[K".utf8))
  }

  public func finish() {
    guard enabled else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}

/// Writes a JSON value to stdout, keys sorted, dates in ISO 8601.
func printJSON<T: Encodable>(_ value: T) throws {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  encoder.dateEncodingStrategy = .iso8601
  print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
