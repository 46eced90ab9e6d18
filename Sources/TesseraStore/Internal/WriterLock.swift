#if canImport(Glibc)
import Glibc
#endif

/// One writer at a time: an exclusive `flock` on `.tessera/lock`. The kernel drops the lock when its holder
/// dies, so a `kill -9` never leaves the store locked. The file holds the holder's pid, for the error message.
final class WriterLock {
  private let fd: Int32

  /// With `waitSeconds`, a lock held by another process is waited for that long before giving up.
  init(path: String, waitSeconds: Double = 0) throws {
    let fd = try syscall("open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
    var waited = 0.0
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      let code = errno
      let holder = (Self.holder(fd: fd, path: path) ?? "?").trimmingNewlines
      // A lock this same process holds (a library caller starting a write while another of its writes runs) is
      // never released by waiting, and "another process" would mislead.
      let ours = holder == String(getpid())
      if code == EWOULDBLOCK && waited < waitSeconds && !ours {
        usleep(50_000)
        waited += 0.05
        continue
      }
      close(fd)
      if code == EWOULDBLOCK && ours {
        throw StoreError(.locked, "the store is locked by this same process (pid \(holder)): a write was started while another write of it was still running")
      }
      if code == EWOULDBLOCK {
        throw StoreError(.locked, "the store is locked by another tessera process (pid \(holder)); try again when it finishes")
      }
      throw StoreError.fromErrno(code, "flock", path)
    }
    self.fd = fd
    _ = ftruncate(fd, 0)
    let pid = Array("\(getpid())\n".utf8)
    _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
  }

  /// The pid the holder wrote into the lock file, read from its start each time (a holder writes it after locking).
  private static func holder(fd: Int32, path: String) -> String? {
    guard lseek(fd, 0, SEEK_SET) == 0 else { return nil }
    return (try? readAll(fd: fd, path: path, sizeHint: 16)).map { String(decoding: $0, as: UTF8.self) }
  }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }
}

extension String {
  var trimmingNewlines: String {
    var s = Substring(self)
    while s.last == "\n" || s.last == " " { s.removeLast() }
    return String(s)
  }
}
