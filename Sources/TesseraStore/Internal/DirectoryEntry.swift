#if canImport(Glibc)
import Glibc
#endif

/// The name of a `readdir` entry, read in place up to its NUL.
///
/// Never `entry.pointee.d_name`: that copies all 256 bytes the struct declares, but glibc packs entries by their real
/// length (`d_reclen`), so the copy reads past a short entry — and past the end of readdir's buffer when the entry is
/// its last, which crashed the monitor when the buffer ended just before an unmapped page.
func directoryEntryNameBytes(_ entry: UnsafePointer<dirent>) -> UnsafeRawBufferPointer {
  let name = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
  return UnsafeRawBufferPointer(start: name, count: strlen(name.assumingMemoryBound(to: CChar.self)))
}

func directoryEntryName(_ entry: UnsafePointer<dirent>) -> String {
  String(decoding: directoryEntryNameBytes(entry), as: UTF8.self)
}
