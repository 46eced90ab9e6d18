import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Read-only bytes: a file mapped into memory, or an array.
///
/// The index (10 MB for Fashion-MNIST), its changes file and the data packs' indexes are read by every `add`,
/// `commit` and `status`. Read into fresh memory, the index alone cost a new process 5–10 ms, most of it page
/// faults on the buffer; mapped, its pages come straight from the page cache. Tessera replaces these files by
/// rename and never writes one in place, so a mapping cannot change under its reader through Tessera. Another
/// program writing one of these files in place (`cp` over it, `rsync --inplace`) while a command holds it is
/// not guarded against: the command may read past an entry or fault (SIGBUS if the file was truncated), where a
/// copy read at the start was immune. The checksum each load verifies still refuses such a file next time.
struct FileBytes: Sendable {
  private enum Storage: Sendable {
    case array([UInt8])
    case mapped(MappedRegion)
  }

  private let storage: Storage
  let count: Int
  /// Where reserved room after a mapped file begins (`contents(of:spare:)`), until `appending` fills it.
  private let spareOffset: Int?

  init(_ array: [UInt8]) {
    storage = .array(array)
    count = array.count
    spareOffset = nil
  }

  /// Files smaller than this are read: a mapping's own system calls cost more than copying a few pages.
  static let mapThreshold = 64 << 10

  /// The bytes of the file at `path`, mapped when it is large. Every file read this way ends with its checksum,
  /// which its reader verifies over all its bytes (`endsWithItsSHA256`), so the whole mapping is filled in one
  /// system call (`MAP_POPULATE`) instead of a page fault per 64 KB on each thread that reads it.
  ///
  /// `spare(file size)` reserves that many bytes of address space after the mapping's last page, which cost no
  /// memory until written: the index's loader places its changes file there (`appending`) and merges the two by
  /// reference, where copying 10 MB into fresh memory cost a command 2–7 ms of page faults.
  static func contents(of path: String, spare: (_ fileSize: Int) -> Int = { _ in 0 }) throws -> FileBytes {
    let fd = try syscall("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
    defer { close(fd) }
    var st = stat()
    try syscall("fstat", path) { fstat(fd, &st) }
    let size = Int(st.st_size)
    // Some filesystems (FUSE) cannot map, and a process can run out of mappings: the file is read instead.
    guard (st.st_mode & S_IFMT) == S_IFREG, size >= mapThreshold, let mapped = map(fd, size: size, spare: spare(size)) else {
      return FileBytes(try readAll(fd: fd, path: path, sizeHint: size))
    }
    return mapped
  }

  /// The file open as `fd` mapped, with `spare` bytes reserved after it when it can be (else without); nil when it
  /// cannot be mapped at all.
  private static func map(_ fd: Int32, size: Int, spare: Int) -> FileBytes? {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let fileSpan = (size + page - 1) / page * page
    if spare > 0, let region = mmap(nil, fileSpan + spare, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
       region != MAP_FAILED {
      if let file = mmap(region, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0), file == region {
        return FileBytes(mapped: MappedRegion(base: UnsafeRawPointer(region), count: fileSpan + spare), count: size, spareOffset: fileSpan)
      }
      munmap(region, fileSpan + spare)
    }
    guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), base != MAP_FAILED else { return nil }
    return FileBytes(mapped: MappedRegion(base: UnsafeRawPointer(base), count: size), count: size, spareOffset: nil)
  }

  private init(mapped region: MappedRegion, count: Int, spareOffset: Int?) {
    storage = .mapped(region)
    self.count = count
    self.spareOffset = spareOffset
  }

  /// These bytes followed by `extra`, and the offset where `extra` begins: copied into the room
  /// `contents(of:spare:)` reserved when there is enough (the file's bytes stay where they are mapped), else both
  /// copied into one array. Called once, before the bytes are shared.
  func appending(_ extra: FileBytes) -> (bytes: FileBytes, offset: Int) {
    if case .mapped(let region) = storage, let spareOffset, !extra.isEmpty, region.count - spareOffset >= extra.count {
      extra.withUnsafeBytes { UnsafeMutableRawPointer(mutating: region.base + spareOffset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      return (FileBytes(mapped: region, count: spareOffset + extra.count, spareOffset: nil), spareOffset)
    }
    var joined = LargeBuffer.empty(capacity: count + extra.count)
    withUnsafeBufferPointer { joined.append(contentsOf: $0) }
    extra.withUnsafeBufferPointer { joined.append(contentsOf: $0) }
    return (FileBytes(joined), count)
  }

  /// Whether the bytes are a file's mapping (and not a copy in memory).
  var isMapped: Bool {
    if case .mapped = storage { return true }
    return false
  }

  var isEmpty: Bool { count == 0 }

  func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    switch storage {
    case .array(let array): return try array.withUnsafeBytes(body)
    case .mapped(let region): return try body(UnsafeRawBufferPointer(start: region.base, count: count))
    }
  }

  /// The bytes as typed elements: appending an `UnsafeBufferPointer<UInt8>` to an array is one copy, where a raw
  /// buffer's bytes go element by element.
  func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try withUnsafeBytes { try body($0.assumingMemoryBound(to: UInt8.self)) }
  }

  /// A copy of the bytes in `range`.
  subscript(range: Range<Int>) -> [UInt8] {
    precondition(range.lowerBound >= 0 && range.upperBound <= count)
    return withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[range])) }
  }

  /// Whether the last 32 bytes are the SHA-256 of all the bytes before them: how the index, its changes file and
  /// the pack indexes end.
  var endsWithItsSHA256: Bool {
    withUnsafeBytes { raw in
      guard raw.count >= 32 else { return false }
      return SHA256.hash(data: UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 32)])).withUnsafeBytes {
        memcmp($0.baseAddress!, raw.baseAddress! + raw.count - 32, 32) == 0
      }
    }
  }

  /// A copy of the last `n` bytes (all of them when there are fewer).
  func suffix(_ n: Int) -> [UInt8] { self[max(0, count - n)..<count] }
}

/// One read-only mapping, unmapped when the last `FileBytes` holding it goes.
final class MappedRegion: @unchecked Sendable {
  let base: UnsafeRawPointer
  let count: Int

  init(base: UnsafeRawPointer, count: Int) {
    self.base = base
    self.count = count
  }

  deinit { munmap(UnsafeMutableRawPointer(mutating: base), count) }
}
