import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Appends new objects to data packs under temporary names. Each pack is synced, given its index and renamed into
/// place when it reaches `rollOverBytes` or at `finish()`: a couple of fsyncs for a whole add, however many objects.
final class PackWriter {
  static let magic: [UInt8] = Array("TPK1".utf8)
  /// Packs stay below about 1 GiB, so `gc` never rewrites more than that to drop one object.
  static let rollOverBytes: UInt64 = 1 << 30

  let directory: String
  let rollOverBytes: UInt64
  private var tmpData = ""
  private var fd: Int32 = -1
  private var offset: UInt64 = 0
  private var entries: [PackIndex.Entry] = []
  private var seen: Set<ObjectID> = []
  private var buffer: [UInt8] = []
  private(set) var finishedPacks: [String] = []

  init(directory: String, rollOverBytes: UInt64 = PackWriter.rollOverBytes) throws {
    self.directory = directory
    self.rollOverBytes = rollOverBytes
    try makeDirectories(directory)
  }

  deinit {
    if fd >= 0 {
      close(fd)
      unlink(tmpData)
    }
  }

  func contains(_ id: ObjectID) -> Bool { seen.contains(id) }

  private func start() throws {
    let tmp = directory + "/tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).tpk"
    fd = try syscall("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444) }
    tmpData = tmp
    buffer = Self.magic
    offset = UInt64(Self.magic.count)
    entries = []
  }

  func append(_ id: ObjectID, _ bytes: [UInt8]) throws {
    guard seen.insert(id).inserted else { return }
    if fd < 0 { try start() }
    entries.append(.init(id: id, offset: offset, size: UInt64(bytes.count)))
    buffer.append(contentsOf: bytes)
    offset += UInt64(bytes.count)
    if buffer.count >= 8 << 20 { try flush() }
    if offset >= rollOverBytes { try seal() }
  }

  private func flush() throws {
    try writeAll(fd: fd, path: tmpData, buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Syncs the current pack, writes its index and renames both into place.
  private func seal() throws {
    defer {
      close(fd)
      fd = -1
    }
    try flush()
    try syscall("fsync", tmpData) { fsync(fd) }
    let index = PackIndex.serialize(entries)
    let name = "pack-" + String(ObjectID.hashing(index).hex.prefix(40))
    let dataPath = directory + "/" + name + ".tpk"
    try syscall("rename", dataPath) { rename(tmpData, dataPath) }
    try writeFileAtomically(directory + "/" + name + ".tpi", index)
    try syncPath(directory)
    finishedPacks.append(name)
  }

  /// Seals the last pack; returns the names of all packs written.
  @discardableResult
  func finish() throws -> [String] {
    if fd >= 0 { try seal() }
    return finishedPacks
  }
}
