import CStoreShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A monitor's answer to "what changed since this token".
enum MonitorAnswer: Equatable {
  /// The monitor cannot tell (a token it did not issue, lost events): compare everything.
  case full(token: String)
  /// Only these paths (files, or folders to scan whole) may have changed.
  case changes([String], token: String)

  var token: String {
    switch self {
    case let .full(token), let .changes(_, token): token
    }
  }
}

/// Talks to the monitor of a store, if one runs. Every failure reads as "no monitor": the caller compares
/// everything, as it would without one.
enum MonitorClient {
  static func connect(root: String, timeoutSeconds: Int = 2) -> Int32? {
    let fd = MonitorSocket.streamSocket()
    guard fd >= 0 else { return nil }
    let connected = MonitorSocket.withAddress(MonitorSocket.name(root: root)) { Glibc.connect(fd, $0, $1) }
    guard connected == 0 else {
      close(fd)
      return nil
    }
    // Only a monitor run by this user is believed.
    var peer: UInt32 = 0
    guard CStoreShims_peer_uid(fd, &peer) == 0, peer == geteuid() else {
      close(fd)
      return nil
    }
    MonitorSocket.setTimeouts(fd, seconds: timeoutSeconds)
    return fd
  }

  /// Whether this user's monitor for the store accepts a connection; no question asked.
  static func isRunning(root: String) -> Bool {
    guard let fd = connect(root: root) else { return false }
    close(fd)
    return true
  }

  static func request(root: String, _ line: String) -> [UInt8]? {
    guard let fd = connect(root: root) else { return nil }
    defer { close(fd) }
    guard MonitorSocket.writeAll(fd, Array((line + "\n").utf8)) else { return nil }
    return MonitorSocket.readToEnd(fd)
  }

  static func query(root: String, since token: String?) -> MonitorAnswer? {
    guard let identity = try? FileMonitor.identity(of: root),
          let reply = request(root: root, "query \(token ?? "-") \(identity)"),
          let newline = reply.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
    let header = String(decoding: reply[..<newline], as: UTF8.self).split(separator: " ")
    if header.count == 2 && header[0] == "full" { return .full(token: String(header[1])) }
    guard header.count == 3, header[0] == "changes", let count = Int(header[2]) else { return nil }
    let paths = reply[(newline + 1)...].split(separator: 0, omittingEmptySubsequences: true).map {
      String(decoding: $0, as: UTF8.self)
    }
    // Cut short (the last path without its NUL, or paths missing): not an answer to trust.
    guard paths.count == count, count == 0 || reply.last == 0 else { return nil }
    return .changes(paths, token: String(header[1]))
  }

  static func info(root: String) -> MonitorInfo? {
    guard let reply = request(root: root, "info") else { return nil }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try? decoder.decode(MonitorInfo.self, from: Data(reply))
  }

  static func stop(root: String) -> Bool {
    guard request(root: root, "stop").map({ String(decoding: $0, as: UTF8.self) == "stopped\n" }) == true else { return false }
    // Returns once the name is free, so a `monitor start` right after does not find the old one.
    for _ in 0..<100 {
      guard let fd = connect(root: root) else { break }
      close(fd)
      usleep(20_000)
    }
    return true
  }
}

/// What the folder looked like at a monitor token, for one exact index (`.tessera/monitor/snapshot`): every path
/// except `dirty` matched that index then (a staged file with its recorded stat, or nothing where nothing is
/// staged). With the monitor's list of paths changed since the token, that is the whole comparison.
struct MonitorSnapshot: Equatable {
  var token: String
  /// The index's checksum, in hex.
  var index: String
  /// The index file's identity when the snapshot was taken (device, inode, size, ctime): `status` answers from
  /// the index's last 32 bytes alone only while the file is this one, so an index whose entries were changed in
  /// place, keeping its checksum, is read and verified in full (see `StagingIndex.summary`).
  var indexFile: String
  var dirty: [String]

  /// `indexFile` for the file at `path`; empty when it cannot be read.
  static func identity(ofFile path: String) -> String {
    var st = Glibc.stat()
    guard stat(path, &st) == 0 else { return "" }
    return identity(st)
  }

  static func identity(_ st: Glibc.stat) -> String {
    "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
  }

  static func hex(_ checksum: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in checksum { out += [digits[Int(b >> 4)], digits[Int(b & 15)]] }
    return String(decoding: out, as: UTF8.self)
  }

  static let magic = "tessera-monitor-snapshot 2"
  /// More paths than this that differ from the index and the snapshot is not worth keeping: compare everything.
  static let dirtyLimit = 65536

  static func load(_ path: String) -> MonitorSnapshot? {
    guard let bytes = try? readFile(path) else { return nil }
    let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
    guard parts.count >= 5, String(decoding: parts[0], as: UTF8.self) == magic,
          let count = Int(String(decoding: parts[4], as: UTF8.self)), parts.count == 5 + count + 1, parts.last!.isEmpty
    else { return nil }
    return MonitorSnapshot(token: String(decoding: parts[1], as: UTF8.self), index: String(decoding: parts[2], as: UTF8.self),
                           indexFile: String(decoding: parts[3], as: UTF8.self),
                           dirty: parts[5..<(5 + count)].map { String(decoding: $0, as: UTF8.self) })
  }

  func write(_ path: String) throws {
    var out: [UInt8] = []
    for field in [Self.magic, token, index, indexFile, String(dirty.count)] + dirty {
      out += field.utf8
      out.append(0)
    }
    // A cache: lost to a power cut it costs one full comparison, never a wrong answer.
    try writeFileAtomically(path, out, sync: false)
  }
}
