import CGit2
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the remote layer (module TesseraRemote) needs from a store: the objects versions reach, the objects the
/// store holds, a way to take in fetched objects, and the writer lock. `package` access keeps it out of the
/// public API.
extension Store {
  /// The `.tessera` folder: remotes keep their configuration and caches under it.
  package var metaDirectory: String { meta }

  /// Holds the writer lock for the whole of `body`, waiting up to `waitSeconds` for another holder to finish.
  package func withWriterLock<T>(waitSeconds: Double = 0, _ body: () throws -> T) throws -> T {
    let lock = try lockForWriting(waitSeconds: waitSeconds)
    defer { withExtendedLifetime(lock) {} }
    return try body()
  }

  /// Every object a pointer reaches in the history of `revisions` (all of it: every version before them too),
  /// with the size the pointer records.
  package func objectsReachable(from revisions: [String]) throws -> [ObjectID: Int64] {
    try withGit { repo in
      let roots = try revisions.map { try repo.resolveCommit($0) }
      var out: [ObjectID: Int64] = [:]
      var seenTrees = Set<GitOID>()
      try repo.forEachCommit(reachableFrom: roots) { commit in
        try collectObjects(tree: repo.treeID(ofCommit: commit), prefix: "", seen: &seenTrees, into: &out)
      }
      return out
    }
  }

  private func collectObjects(tree: GitOID, prefix: String, seen: inout Set<GitOID>, into out: inout [ObjectID: Int64]) throws {
    guard seen.insert(tree).inserted else { return }
    for entry in try repo.treeEntries(tree) {
      let path = prefix.isEmpty ? entry.name : prefix + "/" + entry.name
      if entry.isTree {
        try collectObjects(tree: entry.id, prefix: path, seen: &seen, into: &out)
      } else {
        let file = try Pointer.parse(repo.blobBytes(entry.id), path: path)
        out[file.object] = file.size
      }
    }
  }

  /// The ids the store does not hold, looking at the pack folder once (not once per miss, as `read` does).
  package func missingObjects(_ ids: some Sequence<ObjectID>) -> Set<ObjectID> {
    try? objects.reloadPacks()
    return Set(ids.filter { !objects.contains($0) })
  }

  /// The loose file holding a large object, for streaming it without reading it whole.
  package func looseObjectPath(_ id: ObjectID) -> String? { objects.locateLoose(id) }

  /// Bytes `offset..<offset+count` of an object (packed or loose).
  package func readObject(_ id: ObjectID, offset: Int64, count: Int) throws -> [UInt8] {
    if let path = objects.locateLoose(id) {
      let fd = try syscall("open", path) { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
      defer { close(fd) }
      var out = [UInt8](repeating: 0, count: count)
      var done = 0
      while done < count {
        let n = try out.withUnsafeMutableBytes { raw in
          try syscall("pread", path) { pread(fd, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
        }
        if n == 0 { throw StoreError(.corruptObject, "\(path): object is shorter than \(offset + Int64(count)) bytes") }
        done += n
      }
      return out
    }
    let whole = try objects.read(id)
    guard offset >= 0, Int(offset) + count <= whole.count else {
      throw StoreError(.corruptObject, "object \(id.hex) is shorter than \(offset + Int64(count)) bytes")
    }
    return Array(whole[Int(offset)..<(Int(offset) + count)])
  }

  /// Starts taking in objects that arrive from elsewhere. Call only while holding the writer lock.
  package func makeObjectImporter(packBytes: UInt64 = 64 << 20) throws -> ObjectImporter {
    try ObjectImporter(objects: objects, packBytes: packBytes)
  }

  /// The commit a revision names, or nil when it names nothing.
  package func commitIfExists(_ revision: String) -> String? {
    (try? withGit { repo in try repo.resolveCommit(revision).hex }) ?? nil
  }
}

/// Takes in objects fetched from a remote. Each one is re-hashed first and refused when its bytes do not match
/// its name. Small objects go into data packs sealed every `packBytes`, so an interrupted fetch keeps what it
/// sealed; large ones become loose objects through a synced temporary file.
package final class ObjectImporter: @unchecked Sendable {
  private let objects: ObjectStore
  private let writer: PackWriter
  private let lock = NSLock()

  fileprivate init(objects: ObjectStore, packBytes: UInt64) throws {
    self.objects = objects
    writer = try PackWriter(directory: objects.packDirectory, rollOverBytes: packBytes)
  }

  /// Stores `bytes` as object `id` after checking their hash; `source` names where they came from for the error.
  package func add(_ id: ObjectID, _ bytes: [UInt8], source: String) throws {
    let actual = ObjectID.hashing(bytes)
    guard actual == id else {
      throw StoreError(.corruptObject, "\(source): object \(id.hex) arrived with the wrong content (its bytes hash to \(actual.hex)); refused")
    }
    if bytes.count >= ObjectStore.looseThreshold {
      try writeLoose(id, bytes)
      return
    }
    lock.lock()
    defer { lock.unlock() }
    try writer.append(id, bytes)
  }

  /// Moves a fully downloaded large object into place after re-hashing the file.
  package func adoptLooseFile(_ path: String, as id: ObjectID, source: String) throws {
    let actual = try hashFile(path)
    guard actual == id else {
      unlink(path)
      throw StoreError(.corruptObject, "\(source): object \(id.hex) arrived with the wrong content (its bytes hash to \(actual.hex)); refused")
    }
    let final = objects.loosePath(id)
    try makeDirectories(parentDirectory(final))
    _ = chmod(path, 0o444)
    let fd = try syscall("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
    defer { close(fd) }
    try syscall("fsync", path) { fsync(fd) }
    try syscall("rename", final) { rename(path, final) }
  }

  /// A temporary path inside the object folder for a large download (same filesystem, so it can be renamed).
  package func temporaryPath(for id: ObjectID) -> String { objects.root + "/tmp-fetch-" + id.hex }

  private func writeLoose(_ id: ObjectID, _ bytes: [UInt8]) throws {
    let final = objects.loosePath(id)
    try makeDirectories(parentDirectory(final))
    let tmp = final + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = try syscall("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444) }
    do {
      try writeAll(fd: fd, path: tmp, bytes)
      try syscall("fsync", tmp) { fsync(fd) }
      close(fd)
      try syscall("rename", final) { rename(tmp, final) }
    } catch {
      close(fd)
      unlink(tmp)
      throw error
    }
  }

  /// Seals the last pack and syncs the object folders; afterwards every added object is durable.
  package func finish() throws {
    lock.lock()
    defer { lock.unlock() }
    try writer.finish()
    try syncPath(objects.root)
    try objects.reloadPacks()
  }
}

func hashFile(_ path: String) throws -> ObjectID {
  let fd = try syscall("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
  defer { close(fd) }
  var hasher = SHA256()
  var buffer = [UInt8](repeating: 0, count: 1 << 20)
  while true {
    let n = try buffer.withUnsafeMutableBytes { raw in try syscall("read", path) { read(fd, raw.baseAddress, raw.count) } }
    if n == 0 { break }
    buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
  }
  return ObjectID(digest: hasher.finalize())
}

extension Store {
  /// Writes the given objects into new data packs in `directory` (each sealed at about `packBytes`), for
  /// sending elsewhere; returns the pack names (`pack-<40 hex>`, the `.tpk` and `.tpi` beside each other).
  package func writePacks(of ids: [ObjectID], into directory: String, packBytes: UInt64) throws -> [String] {
    let writer = try PackWriter(directory: directory, rollOverBytes: packBytes)
    for id in ids { try writer.append(id, objects.read(id)) }
    return try writer.finish()
  }
}
