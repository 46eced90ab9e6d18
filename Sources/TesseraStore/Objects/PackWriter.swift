import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Appends new objects to one data pack under a temporary name; `finish()` syncs it, writes its index and
/// renames both into place: two fsyncs for a whole add, however many objects it holds.
final class PackWriter {
  static let magic: [UInt8] = Array("TPK1".utf8)
  static let rollOverBytes: UInt64 = 1 << 30

  let directory: String
  private let tmpData: String
  private var fd: Int32
  private var offset: UInt64
  private var entries: [PackIndex.Entry] = []
  private var seen: Set<ObjectID> = []
  private var buffer: [UInt8] = []
  private(set) var finishedPacks: [String] = []

  init(directory: String) throws {
    self.directory = directory
    try makeDirectories(directory)
    let tmp = directory + "/tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).tpk"
    tmpData = tmp
    fd = try syscall("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444) }
    buffer = Self.magic
    offset = UInt64(Self.magic.count)
  }

  deinit {
    if fd >= 0 {
      close(fd)
      unlink(tmpData)
    }
  }

  var isEmpty: Bool { entries.isEmpty }
  func contains(_ id: ObjectID) -> Bool { seen.contains(id) }

  func append(_ id: ObjectID, _ bytes: [UInt8]) throws {
    guard seen.insert(id).inserted else { return }
    entries.append(.init(id: id, offset: offset, size: UInt64(bytes.count)))
    buffer.append(contentsOf: bytes)
    offset += UInt64(bytes.count)
    if buffer.count >= 8 << 20 { try flush() }
  }

  private func flush() throws {
    try writeAll(fd: fd, path: tmpData, buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes the index and renames the pack into place; returns the pack's name, or nil when nothing was added.
  @discardableResult
  func finish() throws -> String? {
    defer {
      close(fd)
      fd = -1
    }
    guard !entries.isEmpty else {
      unlink(tmpData)
      return nil
    }
    try flush()
    try syscall("fsync", tmpData) { fsync(fd) }
    let index = PackIndex.serialize(entries)
    let name = "pack-" + String(ObjectID.hashing(index).hex.prefix(40))
    let dataPath = directory + "/" + name + ".tpk"
    let indexPath = directory + "/" + name + ".tpi"
    try syscall("rename", dataPath) { rename(tmpData, dataPath) }
    try writeFileAtomically(indexPath, index)
    try syncPath(directory)
    finishedPacks.append(name)
    return name
  }
}
