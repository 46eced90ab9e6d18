import Foundation
import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Appends new objects to data packs under temporary names. Each pack is synced, given its index and renamed into
/// place when it reaches `rollOverBytes` or at `finish()`: a couple of fsyncs for a whole add, however many objects.
///
/// `append` is for one thread. Hashing threads instead fill a `PackBatch` each and hand it to `append(batch:)`,
/// which may be called from many threads at once: the batch's range of the pack is reserved under a lock and
/// written outside it, so the threads write the pack between them while they hash instead of one thread writing
/// it afterwards. `sealIfFull()` (one thread, no batch in flight) rolls over to a new pack.
final class PackWriter: @unchecked Sendable {
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
  /// Guards `seen`, `offset` and `entries` while batches arrive from several threads.
  private let lock = NSLock()

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

  /// Opens the pack (if none is open) and writes out what `append` buffered, before batches arrive.
  func prepareForBatches() throws {
    if fd < 0 { try start() }
    try flush()
  }

  /// Claims `id` for the calling thread's batch; false if another batch or `append` already has it.
  func claim(_ id: ObjectID) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return seen.insert(id).inserted
  }

  /// Writes a batch of claimed objects at the end of the pack (any thread, after `prepareForBatches`).
  func append(batch: inout PackBatch) throws {
    // Entries, not bytes: an empty file is an object of no bytes.
    if batch.entries.isEmpty { return }
    precondition(buffer.isEmpty, "append(batch:) without prepareForBatches() after append(_:_:)")
    lock.lock()
    let base = offset
    offset += UInt64(batch.bytes.count)
    for e in batch.entries { entries.append(.init(id: e.id, offset: base + e.offset, size: e.size)) }
    lock.unlock()
    try batch.bytes.withUnsafeBytes { try writeAll(fd: fd, path: tmpData, $0, at: base) }
    batch.bytes.removeAll(keepingCapacity: true)
    batch.entries.removeAll(keepingCapacity: true)
  }

  /// Seals the pack once it has reached `rollOverBytes` (one thread, no batch in flight).
  func sealIfFull() throws {
    if fd >= 0 && offset >= rollOverBytes { try seal() }
  }

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
    // At its place, not the file position: batches write with pwrite, which leaves the position behind.
    try buffer.withUnsafeBytes { try writeAll(fd: fd, path: tmpData, $0, at: offset - UInt64($0.count)) }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Syncs the current pack, writes its index and renames both into place.
  private func seal() throws {
    defer {
      close(fd)
      fd = -1
    }
    if entries.isEmpty {
      // Opened for batches that all found their objects already stored.
      unlink(tmpData)
      return
    }
    do {
      try sealWhole()
    } catch {
      unlink(tmpData)  // gone already if the rename went through; otherwise nothing else would remove it
      throw error
    }
  }

  private func sealWhole() throws {
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

/// One thread's objects on their way into a pack, with offsets relative to the batch.
struct PackBatch {
  var bytes: [UInt8] = []
  var entries: [PackIndex.Entry] = []

  mutating func add(_ id: ObjectID, _ data: [UInt8]) {
    entries.append(.init(id: id, offset: UInt64(bytes.count), size: UInt64(data.count)))
    bytes.append(contentsOf: data)
  }
}
