import CStoreShims
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a POSIX call that returns -1 and sets errno on failure, retrying EINTR, and turns a failure
/// into a `StoreError` naming the call, the path and the system's message.
@discardableResult
func syscall<T: FixedWidthInteger>(_ name: String, _ path: String, _ body: () -> T) throws -> T {
  while true {
    let r = body()
    if r != -1 { return r }
    let code = errno
    if code == EINTR { continue }
    throw StoreError.fromErrno(code, name, path)
  }
}

extension StoreError {
  static func fromErrno(_ code: Int32, _ call: String, _ path: String) -> StoreError {
    let reason = String(cString: strerror(code))
    return StoreError(.io, "\(path): \(reason) (\(call))")
  }
}

/// Reads a whole file through an open descriptor.
func readAll(fd: Int32, path: String, sizeHint: Int) throws -> [UInt8] {
  // Read straight into uninitialised storage (no zero-fill first), one byte larger than the stat said so that a
  // file that grew since is noticed.
  let capacity = max(sizeHint, 0) + 1
  var filled = 0, atEnd = false
  var buffer = try [UInt8](unsafeUninitializedCapacity: capacity) { raw, initialized in
    defer { initialized = filled }
    LargeBuffer.advise(UnsafeMutableRawBufferPointer(raw))
    while filled < capacity {
      let n = try syscall("read", path) { read(fd, raw.baseAddress! + filled, capacity - filled) }
      if n == 0 {
        atEnd = true
        return
      }
      filled += n
    }
  }
  var chunk = [UInt8](repeating: 0, count: 65536)
  while !atEnd {
    let n = try chunk.withUnsafeMutableBytes { raw in try syscall("read", path) { read(fd, raw.baseAddress!, raw.count) } }
    if n == 0 { break }
    buffer.append(contentsOf: chunk[0..<n])
  }
  return buffer
}

/// Reads up to `count` bytes (fewer only at EOF) without the extra read that would find EOF: callers compare the
/// length and a stat taken afterwards with what they expected.
func readExactly(fd: Int32, path: String, count: Int) throws -> [UInt8] {
  var filled = 0
  var buffer = try [UInt8](unsafeUninitializedCapacity: count) { raw, initialized in
    defer { initialized = filled }
    while filled < count {
      let n = read(fd, raw.baseAddress! + filled, count - filled)
      if n < 0 {
        if errno == EINTR { continue }
        throw StoreError.fromErrno(errno, "read", path)
      }
      if n == 0 { break }
      filled += n
    }
  }
  buffer.removeSubrange(filled...)
  return buffer
}

/// Writes all of `bytes` to `fd`.
func writeAll(fd: Int32, path: String, _ bytes: UnsafeRawBufferPointer) throws {
  var done = 0
  while done < bytes.count {
    let n = try syscall("write", path) { write(fd, bytes.baseAddress! + done, bytes.count - done) }
    done += n
  }
}

/// `pwrite` until every byte is written at `offset` (the file position does not move).
func writeAll(fd: Int32, path: String, _ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws {
  var done = 0
  while done < bytes.count {
    let n = try syscall("pwrite", path) { pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
    done += n
  }
}

func writeAll(fd: Int32, path: String, _ bytes: [UInt8]) throws {
  try bytes.withUnsafeBytes { try writeAll(fd: fd, path: path, $0) }
}

/// Writes `bytes` to `path` atomically: a temp file beside it, fsync, rename.
func writeFileAtomically(_ path: String, _ bytes: [UInt8], sync: Bool = true) throws {
  let tmp = path + ".tmp-\(getpid())"
  // Errors name the file the caller asked for, not the temporary one.
  let fd = try syscall("open", path) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
  do {
    defer { close(fd) }
    try writeAll(fd: fd, path: path, bytes)
    if sync { try syscall("fsync", path) { fsync(fd) } }
  } catch {
    unlink(tmp)
    throw error
  }
  do {
    try syscall("rename", path) { rename(tmp, path) }
  } catch {
    unlink(tmp)
    throw error
  }
}

/// Opens a dataset file for reading without updating its access time (`O_NOATIME`, as git opens its objects):
/// the first read of a freshly copied file otherwise writes its inode, which made reading 70,000 small files on
/// ext4 take 40 % longer. The kernel allows the flag to the file's owner (and root) only, and says EPERM to
/// anyone else, who then opens the file as usual. `folder` is a folder descriptor (or AT_FDCWD) and `name` is
/// relative to it; `path` names the file in errors.
func openForReading(_ name: String, in folder: Int32 = AT_FDCWD, path: String, flags: Int32 = 0) throws -> Int32 {
  let plain = O_RDONLY | O_CLOEXEC | flags
  // After one refusal the rest of a dataset is most likely another user's too: skip the failing attempt, as git
  // did, rather than pay it for each of 70,000 files.
  while !noAtimeRefused.load(ordering: .relaxed) {
    let fd = openat(folder, name, plain | CStoreShims_open_noatime_flag())
    if fd >= 0 { return fd }
    let code = errno
    if code == EPERM {
      noAtimeRefused.store(true, ordering: .relaxed)
      break
    }
    if code != EINTR { throw StoreError.fromErrno(code, "open", path) }
  }
  return try syscall("open", path) { openat(folder, name, plain) }
}

/// Set once the kernel refused O_NOATIME (the files are not this user's).
private let noAtimeRefused = Atomic<Bool>(false)

/// A file's bytes. `leavingAccessTime` for dataset files (`openForReading`).
func readFile(_ path: String, leavingAccessTime: Bool = false) throws -> [UInt8] {
  let fd = try leavingAccessTime ? openForReading(path, path: path) : syscall("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
  defer { close(fd) }
  var st = stat()
  try syscall("fstat", path) { fstat(fd, &st) }
  return try readAll(fd: fd, path: path, sizeHint: Int(st.st_size))
}

func fileExists(_ path: String) -> Bool {
  var st = stat()
  return lstat(path, &st) == 0
}

func makeDirectories(_ path: String) throws {
  if fileExists(path) { return }
  let parent = parentDirectory(path)
  if !parent.isEmpty && parent != path { try makeDirectories(parent) }
  if mkdir(path, 0o755) != 0 && errno != EEXIST { throw StoreError.fromErrno(errno, "mkdir", path) }
}

func parentDirectory(_ path: String) -> String {
  guard let slash = path.lastIndex(of: "/") else { return "" }
  return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// Makes a file's contents (or a folder's entries) durable. Tessera writes few, large files (packs), so a sync
/// per written file is cheap; syncfs would also flush every other program's writes on the filesystem.
func syncPath(_ path: String) throws {
  let fd = try syscall("open", path) { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
  defer { close(fd) }
  try syscall("fsync", path) { fsync(fd) }
}
