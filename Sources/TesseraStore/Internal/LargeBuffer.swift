#if canImport(Glibc)
import Glibc
#endif

/// Big byte buffers (the 10 MB index) backed by huge pages where the kernel allows it (transparent huge pages in
/// "madvise" mode, Debian's default): filling one then takes a handful of page faults instead of 2,500 zeroed
/// 4 KB faults, which on a virtual machine cost more than the copy itself.
enum LargeBuffer {
  static let hugePage = 2 << 20

  /// An empty array whose storage holds `capacity` bytes, advised for huge pages before any is touched.
  static func empty(capacity: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: capacity) { raw, initialized in
      advise(UnsafeMutableRawBufferPointer(raw))
      initialized = 0
    }
  }

  /// Asks for huge pages over the whole 2 MB pages inside `raw`; a hint, so failure changes nothing.
  static func advise(_ raw: UnsafeMutableRawBufferPointer) {
    guard raw.count >= 2 * hugePage, let base = raw.baseAddress else { return }
    let start = (UInt(bitPattern: base) + UInt(hugePage - 1)) & ~UInt(hugePage - 1)
    let end = (UInt(bitPattern: base) + UInt(raw.count)) & ~UInt(hugePage - 1)
    guard end > start else { return }
    _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_HUGEPAGE)
  }
}
