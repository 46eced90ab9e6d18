import CStoreShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The file-system monitor of one store (git's fsmonitor daemon, for a dataset folder): it watches every folder
/// with inotify and answers "which paths changed since token T", so `status` and `add` stat only those instead
/// of every file. Run it with ``run()``; `tessera monitor start` does, in the background.
///
/// Its answers are exact or it says so: a token it did not issue (another daemon, a restart), an overflow of the
/// kernel's event queue, or a folder it could not watch make it answer "full", and the caller compares
/// everything. Each query first creates a cookie file in `.tessera/monitor/` and answers only once inotify has
/// delivered the cookie's creation: events come in order, so every change made before the query was asked has
/// been journalled by then.
///
/// New folders get their watches before their path is journalled, and are journalled whole (their files may
/// predate the watch): the caller scans a journalled folder entirely.
public final class FileMonitor {
  public let root: String
  let directory: String
  private let inotify: Int32
  private let listener: Int32
  private var folderOfWatch: [Int32: String] = [:]
  private var cookieWatch: Int32 = -1
  private var rootWatch: Int32 = -1
  /// Changed paths in the order seen; `firstSequence` is the sequence number of `journal[0]`.
  private var journal: [String] = []
  private var firstSequence = 0
  /// Queries for tokens before this sequence number get "full" (an overflow or a lost watch happened after them).
  private var fullBefore = 0
  /// Why every answer is "full" from now on (a folder that cannot be watched), or nil.
  private(set) var degraded: String?
  private let instance = String(UInt64.random(in: 0...UInt64.max), radix: 36)
  private var pending: [String: Int32] = [:]  // cookie name → client waiting for it
  private var pendingSince: [String: String] = [:]  // cookie name → the token its client asked about
  private var cookieCounter = 0
  private var stopping = false
  private let started = Date()
  /// The root folder's device and inode: a query names the folder it means, and an abstract socket name is
  /// shared by every process of the network namespace (containers), so a name alone does not prove it.
  private var rootIdentity = ""

  static let journalLimit = 1 << 20
  static let cookiePrefix = "cookie-"
  /// Events that change what a file holds or whether it is there; reads and opens are not watched.
  static let watchMask: UInt32 = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM
    | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

  /// Sets up the watches and the socket. Fails if another monitor serves this store, or a folder cannot be
  /// watched (with the limit to raise when that is the reason).
  public init(root: String) throws {
    self.root = try canonicalPath(root)
    directory = self.root + "/.tessera/monitor"
    guard fileExists(self.root + "/.tessera/config") else {
      throw StoreError(.notAStore, "\(self.root): not a Tessera store; run 'tessera init' first")
    }
    try makeDirectories(directory)
    rootIdentity = try Self.identity(of: self.root)
    let fsType = CStoreShims_filesystem_type(self.root)
    if fsType >= 0 {
      // Changes made by other machines (network filesystems) or inside a FUSE server reach no inotify watch.
      let unwatchable: [Int: String] = [0x6969: "NFS", 0x517B: "SMB", 0xFF534D42: "CIFS", 0xFE534D42: "SMB2",
                                        0x65735546: "FUSE", 0x01021997: "9P", 0x0BD00BD0: "Lustre"]
      if let kind = unwatchable[Int(fsType)] {
        throw StoreError(.badInput, "\(self.root): on a \(kind) filesystem, where inotify misses changes made elsewhere; the monitor cannot be used here")
      }
    }
    inotify = try syscall("inotify_init1", directory) { inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK)) }
    let fd = MonitorSocket.streamSocket()
    guard fd >= 0 else {
      close(inotify)
      throw StoreError.fromErrno(errno, "socket", directory)
    }
    listener = fd
    let name = MonitorSocket.name(root: self.root)
    let bound = MonitorSocket.withAddress(name) { bind(fd, $0, $1) }
    if bound != 0 {
      let code = errno
      close(fd)
      close(inotify)
      if code == EADDRINUSE { throw StoreError(.locked, "\(self.root): a monitor is already running for this store") }
      throw StoreError.fromErrno(code, "bind", name)
    }
    do {
      try syscall("listen", name) { listen(fd, 64) }
      cookieWatch = try syscall("inotify_add_watch", directory) {
        inotify_add_watch(inotify, directory, UInt32(IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR))
      }
      for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(Self.cookiePrefix) {
        unlink(directory + "/" + name)
      }
      try watchTree("")
      if let degraded { throw StoreError(.io, degraded) }
    } catch {
      close(listener)
      close(inotify)
      throw error
    }
  }

  deinit {
    for (_, client) in pending { close(client) }
    close(listener)
    close(inotify)
  }

  /// Serves until `stop` is asked, or the store's folder or `.tessera/` is removed or moved.
  public func run() throws {
    // Not the dataset folder: a process whose working folder it is keeps it alive, and its removal would never
    // be reported (the kernel sends IN_DELETE_SELF once nothing uses the folder).
    _ = chdir("/")
    // The same for the log its starter gave it as stderr: from here on `log` opens the file for each line.
    let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
    if null >= 0 {
      dup2(null, 2)
      close(null)
    }
    log("watching \(folderOfWatch.count) folders of \(root)")
    var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
    var buffer = [UInt8](repeating: 0, count: 1 << 18)
    while !stopping {
      fds[0].revents = 0
      fds[1].revents = 0
      let ready = poll(&fds, 2, -1)
      if ready < 0 {
        if errno == EINTR { continue }
        throw StoreError.fromErrno(errno, "poll", directory)
      }
      if fds[0].revents != 0 { try readEvents(&buffer) }
      if fds[1].revents != 0 { acceptClient() }
    }
  }

  static func identity(of path: String) throws -> String {
    var st = stat()
    try syscall("stat", path) { stat(path, &st) }
    return "\(st.st_dev):\(st.st_ino)"
  }

  var nextSequence: Int { firstSequence + journal.count }
  var token: String { "\(instance):\(nextSequence)" }

  // MARK: Watches

  /// Watches `relative` and every folder below it. Folders that vanish meanwhile are skipped (their parent's
  /// event journals them); one that cannot be watched for any other reason degrades the monitor.
  private func watchTree(_ relative: String) throws {
    let full = relative.isEmpty ? root : root + "/" + relative
    let wd = inotify_add_watch(inotify, full, Self.watchMask)
    if wd < 0 {
      let code = errno
      if code == ENOENT || code == ENOTDIR { return }
      if code == ENOSPC {
        let limit = (try? readFile("/proc/sys/fs/inotify/max_user_watches")).map { String(decoding: $0, as: UTF8.self).trimmingNewlines } ?? "?"
        degrade("\(relative.isEmpty ? "." : relative): too many folders to watch (fs.inotify.max_user_watches = \(limit)); raise it with 'sysctl fs.inotify.max_user_watches=N'")
      } else {
        degrade("\(relative.isEmpty ? "." : relative): cannot watch: \(String(cString: strerror(code)))")
      }
      return
    }
    folderOfWatch[wd] = relative
    if relative.isEmpty { rootWatch = wd }
    guard let dir = opendir(full) else {
      if errno != ENOENT && errno != ENOTDIR { degrade("\(relative.isEmpty ? "." : relative): cannot list: \(String(cString: strerror(errno)))") }
      return
    }
    defer { closedir(dir) }
    var folders: [String] = []
    while let entry = readdir(dir) {
      let name = directoryEntryName(entry)
      if name == "." || name == ".." || (relative.isEmpty && (name == ".tessera" || name == ".git")) { continue }
      if name.hasPrefix(FileScanner.temporaryPrefix) { continue }  // as the scan skips them
      let child = relative.isEmpty ? name : relative + "/" + name
      var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
      if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
        var st = stat()
        isFolder = lstat(root + "/" + child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
      }
      if isFolder { folders.append(child) }
    }
    for folder in folders { try watchTree(folder) }
  }

  private func unwatchTree(_ relative: String) {
    for (wd, folder) in folderOfWatch where folder == relative || folder.hasPrefix(relative + "/") {
      inotify_rm_watch(inotify, wd)
      folderOfWatch[wd] = nil
    }
  }

  private func degrade(_ reason: String) {
    if degraded == nil {
      degraded = reason
      log("degraded, every answer is now 'compare everything': \(reason)")
    }
  }

  /// After events were lost: watch every folder again (existing watches are kept), and answer "full" to every
  /// token issued before.
  private func rewatch() throws {
    try watchTree("")
    // A marker (an empty path, which callers skip) moves the sequence on: a token issued just before the lost
    // events, with nothing journalled since, must fall before `fullBefore` too.
    record("")
    fullBefore = nextSequence
  }

  private func record(_ path: String) {
    journal.append(path)
    if journal.count > Self.journalLimit {
      // Old tokens become "compare everything"; the journal's memory stays bounded.
      let dropped = journal.count / 2
      journal.removeFirst(dropped)
      firstSequence += dropped
    }
  }

  // MARK: Events

  private func readEvents(_ buffer: inout [UInt8]) throws {
    while true {
      let n = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress!, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN { return }
        throw StoreError.fromErrno(errno, "read", "inotify")
      }
      var offset = 0
      while offset + 16 <= n {
        let (wd, mask, length) = buffer.withUnsafeBytes { raw in
          (raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
           raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
           Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
        }
        let name = String(decoding: buffer[(offset + 16)..<(offset + 16 + length)].prefix(while: { $0 != 0 }), as: UTF8.self)
        offset += 16 + length
        try handle(wd: wd, mask: mask, name: name)
      }
    }
  }

  private func handle(wd: Int32, mask: UInt32, name: String) throws {
    func has(_ flag: Int32) -> Bool { mask & UInt32(bitPattern: flag) != 0 }
    if has(IN_Q_OVERFLOW) {
      log("the kernel's event queue overflowed; watching every folder again")
      try rewatch()
      // A waiting query's cookie may be among the lost events: those callers compare everything.
      for (cookie, client) in pending {
        pendingSince[cookie] = "-"
        answer(client, waitingFor: cookie)
      }
      pending = [:]
      return
    }
    if wd == cookieWatch {
      if has(IN_DELETE_SELF) || has(IN_MOVE_SELF) || has(IN_IGNORED) {
        log(".tessera/monitor was removed; stopping")
        stopping = true
      } else if has(IN_CREATE), let client = pending.removeValue(forKey: name) {
        answer(client, waitingFor: name)
      }
      return
    }
    guard let folder = folderOfWatch[wd] else { return }
    if has(IN_IGNORED) {
      folderOfWatch[wd] = nil
      if wd == rootWatch {
        log("the dataset folder was removed; stopping")
        stopping = true
      }
      return
    }
    if has(IN_DELETE_SELF) || has(IN_MOVE_SELF) {
      if wd == rootWatch {
        log("the dataset folder was removed or moved; stopping")
        stopping = true
      }
      return  // any other folder: its parent's event journals it
    }
    if name.isEmpty { return }  // the folder's own attributes: no file changed
    if folder.isEmpty && name == ".tessera" && (has(IN_DELETE) || has(IN_MOVED_FROM)) {
      // The store is gone. (Its folders' own IN_DELETE_SELF may never come: an open file keeps them in use.)
      log("the store's .tessera folder was removed; stopping")
      stopping = true
      return
    }
    if folder.isEmpty && (name == ".tessera" || name == ".git") { return }
    if name.hasPrefix(FileScanner.temporaryPrefix) { return }  // a checkout's file before its rename
    let path = folder.isEmpty ? name : folder + "/" + name
    if has(IN_ISDIR) {
      if has(IN_CREATE) || has(IN_MOVED_TO) {
        try watchTree(path)  // watch first: files made before the watch are found by the caller's scan
        if degraded != nil { fullBefore = Int.max }
        record(path)
      } else if has(IN_DELETE) || has(IN_MOVED_FROM) {
        unwatchTree(path)
        record(path)
      }
      return
    }
    record(path)
  }

  // MARK: Clients

  private func acceptClient() {
    let client = accept(listener, nil, nil)
    guard client >= 0 else { return }
    _ = fcntl(client, F_SETFD, FD_CLOEXEC)
    var peer: UInt32 = 0
    guard CStoreShims_peer_uid(client, &peer) == 0, peer == geteuid() else {
      close(client)
      return
    }
    MonitorSocket.setTimeouts(client, seconds: 2)
    var request: [UInt8] = []
    var byte: UInt8 = 0
    while request.count < 4096 {
      let n = read(client, &byte, 1)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 || byte == UInt8(ascii: "\n") { break }
      request.append(byte)
    }
    let words = String(decoding: request, as: UTF8.self).split(separator: " ")
    switch words.first {
    case "query" where words.count == 3 && words[2] != Substring(rootIdentity):
      MonitorSocket.writeAll(client, Array("other-folder\n".utf8))
      close(client)
    case "query":
      cookieCounter += 1
      let cookie = Self.cookiePrefix + "\(getpid())-\(cookieCounter)"
      let fd = open(directory + "/" + cookie, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
      pendingSince[cookie] = words.count > 1 ? String(words[1]) : "-"
      if fd < 0 {
        // No cookie, no way to be sure every earlier change arrived: compare everything.
        pendingSince[cookie] = "-"
        answer(client, waitingFor: cookie)
      } else {
        close(fd)
        pending[cookie] = client
      }
    case "info":
      let info = MonitorInfo(pid: Int(getpid()), root: root, watchedFolders: folderOfWatch.count, journalled: journal.count,
                             degraded: degraded, startedAt: started)
      let encoder = JSONEncoder()
      encoder.dateEncodingStrategy = .iso8601
      let encoded = (try? encoder.encode(info)) ?? Data()
      MonitorSocket.writeAll(client, [UInt8](encoded))
      close(client)
    case "stop":
      MonitorSocket.writeAll(client, Array("stopped\n".utf8))
      close(client)
      log("stopped on request")
      stopping = true
    default:
      close(client)
    }
  }

  /// Answers a query once its cookie arrived: every change made before the query is in the journal.
  private func answer(_ client: Int32, waitingFor cookie: String) {
    defer {
      close(client)
      unlink(directory + "/" + cookie)
    }
    let since = pendingSince.removeValue(forKey: cookie) ?? "-"
    let parts = since.split(separator: ":")
    var reply: [UInt8]
    if degraded == nil, parts.count == 2, parts[0] == instance, let sequence = Int(parts[1]),
       sequence >= max(fullBefore, firstSequence), sequence <= nextSequence {
      var seen: Set<String> = [""]  // the overflow marker is no path
      let changed = journal[(sequence - firstSequence)...].filter { seen.insert($0).inserted }
      reply = Array("changes \(token) \(changed.count)\n".utf8)
      for path in changed {
        reply += path.utf8
        reply.append(0)
      }
    } else {
      reply = Array("full \(token)\n".utf8)
    }
    MonitorSocket.writeAll(client, reply)
  }

  /// Appends a line to `.tessera/monitor/log`, opening it each time: a file held open would keep the folders
  /// above it in use, and the kernel would not report their removal.
  private func log(_ message: String) {
    let line = Array("\(ISO8601DateFormatter().string(from: Date())) tessera monitor \(getpid()): \(message)\n".utf8)
    let fd = open(directory + "/log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
  }
}

/// What `tessera monitor status` shows about a running monitor.
public struct MonitorInfo: Codable, Sendable {
  public var pid: Int
  public var root: String
  public var watchedFolders: Int
  public var journalled: Int
  public var degraded: String?
  public var startedAt: Date
}
