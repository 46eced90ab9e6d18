import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Where a store's monitor listens, and the wire format both sides speak.
///
/// The socket is in Linux's abstract namespace, named from the user and the store's root: it needs no file (so
/// no length limit from a deep root and nothing stale after a crash), and a second daemon for the same store
/// fails to bind, which is the "one monitor per store" rule for free.
///
/// Requests are one line: `query TOKEN` (`query -` without a token), `info`, `stop`. A query's answer is
/// `full TOKEN\n` (compare everything) or `changes TOKEN COUNT\n` followed by COUNT paths, each ending in NUL.
enum MonitorSocket {
  static func name(root: String) -> String {
    let digest = ObjectID(digest: SHA256.hash(data: Array(root.utf8))).hex
    return "tessera-monitor/\(geteuid())/\(digest.prefix(40))"
  }

  /// Runs `body` with the abstract-namespace address of `name`.
  static func withAddress<T>(_ name: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(name.utf8.prefix(100))
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw[0] = 0  // abstract: the name follows a NUL and has no file
      for (i, b) in bytes.enumerated() { raw[i + 1] = b }
    }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
    return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
  }

  static func streamSocket() -> Int32 { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }

  static func setTimeouts(_ fd: Int32, seconds: Int) {
    var tv = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
  }

  /// Reads until the peer closes (or the timeout passes: nil).
  static func readToEnd(_ fd: Int32) -> [UInt8]? {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { return nil }
      if n == 0 { return out }
      out += chunk[0..<n]
    }
  }

  /// Writes everything or gives up (a peer that went away, or the timeout).
  @discardableResult
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      done += n
    }
    return true
  }
}
