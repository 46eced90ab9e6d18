import CHTTP
import Foundation

/// What a request got back.
public struct HTTPResponse: Sendable {
  public var status: Int
  /// Header names lowercased.
  public var headers: [String: String]
  public var body: Data
}

/// Blocking HTTP requests through libcurl, which is loaded on the first request (see `CHTTP`), so that commands
/// that never reach a remote do not load it. Safe to call from many threads at once: each request borrows a
/// handle from a pool and returns it with its open connection, for the next request to the same host.
final class HTTPClient: @unchecked Sendable {

  /// A request that got no HTTP response (connection refused, name not found, timed out); says why.
  struct TransportError: Error, CustomStringConvertible {
    var description: String
  }

  private let connectTimeoutSeconds: Int
  private let idleTimeoutSeconds: Int
  private var idle: [UnsafeMutableRawPointer] = []
  private let lock = NSLock()

  init(connectTimeoutSeconds: Int = 30, idleTimeoutSeconds: Int = 300) {
    self.connectTimeoutSeconds = connectTimeoutSeconds
    self.idleTimeoutSeconds = idleTimeoutSeconds
  }

  deinit {
    for handle in idle { chttp_handle_destroy(handle) }
  }

  func send(method: String, url: String, headers: [String: String], body: Data?) throws -> HTTPResponse {
    var message = [CChar](repeating: 0, count: 512)
    // Not worth retrying: no request was made.
    guard chttp_load(&message, message.count) == 0 else { throw RemoteError(String(cString: message)) }
    guard let handle = borrowHandle() else { throw RemoteError("curl_easy_init failed") }
    defer { giveBack(handle) }
    var result = chttp_result()
    defer { chttp_result_free(&result) }
    let lines = headers.map { strdup("\($0.key): \($0.value)") }
    defer { lines.forEach { free($0) } }
    let code = lines.map { UnsafePointer($0) }.withUnsafeBufferPointer { headerLines in
      (body ?? Data()).withUnsafeBytes { bytes in
        chttp_perform(handle, method, url, headerLines.baseAddress, headerLines.count,
                      body == nil ? nil : (bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)), bytes.count,
                      connectTimeoutSeconds, idleTimeoutSeconds, &result)
      }
    }
    guard code == 0 else {
      throw TransportError(description: withUnsafeBytes(of: result.message) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) })
    }
    return HTTPResponse(status: result.status, headers: Self.parseHeaders(result.headers),
                    body: result.body.data.map { Data(bytes: $0, count: result.body.count) } ?? Data())
  }

  /// "Name: value" lines of one response; the status line and malformed lines are skipped.
  static func parseHeaders(_ buffer: chttp_buffer) -> [String: String] {
    guard let data = buffer.data else { return [:] }
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: buffer.count), as: UTF8.self)
    var headers: [String: String] = [:]
    for line in text.split(whereSeparator: \.isNewline) {  // "\r\n" is one Character, a newline
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
      headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return headers
  }

  private func borrowHandle() -> UnsafeMutableRawPointer? {
    lock.lock()
    let reused = idle.popLast()
    lock.unlock()
    return reused ?? chttp_handle_create()
  }

  private func giveBack(_ handle: UnsafeMutableRawPointer) {
    lock.lock()
    idle.append(handle)
    lock.unlock()
  }
}
