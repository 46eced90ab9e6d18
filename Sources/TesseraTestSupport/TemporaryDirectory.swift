import Foundation

/// A unique, empty directory under the system temp folder, removed when `remove()` is called
/// or by `withTemporaryDirectory`.
public struct TemporaryDirectory: Sendable {
  public let url: URL
  public var path: String { url.path }

  public init(prefix: String = "tessera-test") throws {
    let base = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
    url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  public func remove() { try? FileManager.default.removeItem(at: url) }

  public func write(_ bytes: [UInt8], to relativePath: String) throws {
    let file = url.appendingPathComponent(relativePath)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: file)
  }
}

/// Runs `body` inside a fresh temporary directory and removes it afterwards.
public func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) throws -> T) throws -> T {
  let dir = try TemporaryDirectory()
  defer { dir.remove() }
  return try body(dir)
}
