import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Content-addressed object storage under `.tessera/objects/`.
///
/// Small objects live in data packs (`pack/pack-<name>.tpk` + `.tpi`): a 70,000-file add writes two files,
/// not 70,000. Objects at or above `looseThreshold` bytes are loose files `<2 hex>/<62 hex>`, so they can be
/// reflinked or hardlinked. Writers only ever add whole files under temporary names and rename them into place;
/// a pack counts once its index exists.
final class ObjectStore: @unchecked Sendable {
  static let looseThreshold = 1 << 20

  /// One open data pack; its descriptor closes when the last reader lets go, so a reload never pulls a file
  /// out from under a concurrent read.
  ///
  /// Its index's checksum is checked the first time an object's bytes are read through it, not when the store
  /// opens: hashing every pack index cost every command 2–3 ms (Fashion-MNIST's is 3.4 MB), most of which only
  /// ask whether objects are stored. Such questions need no checksum, as in git, whose readers do not hash
  /// `.idx` files either: damage can hide a stored object (it is then stored again), but cannot make a given new
  /// object's SHA-256 appear. `verify` checks every index.
  final class Pack: @unchecked Sendable {
    let name: String
    let index: PackIndex
    let fd: Int32
    let indexPath: String
    private let lock = NSLock()
    private var checksumChecked = false

    init(name: String, index: PackIndex, fd: Int32, indexPath: String) {
      self.name = name
      self.index = index
      self.fd = fd
      self.indexPath = indexPath
    }

    deinit { close(fd) }

    /// Throws if the index's checksum does not match (checked once; a failure is checked again next time).
    func checkIndexChecksum() throws {
      lock.lock()
      defer { lock.unlock() }
      guard !checksumChecked else { return }
      try index.checkChecksum(path: indexPath)
      checksumChecked = true
    }
  }

  let root: String
  private var loaded: [Pack] = []
  private let lock = NSLock()

  init(root: String) throws {
    self.root = root
    try reloadPacks()
  }

  var packDirectory: String { root + "/pack" }

  /// The packs as last loaded (safe to use from any thread).
  var packs: [Pack] {
    lock.lock()
    defer { lock.unlock() }
    return loaded
  }

  func loosePath(_ id: ObjectID) -> String {
    let hex = id.hex
    return root + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)
  }

  func reloadPacks() throws {
    var fresh: [Pack] = []
    let names = (try? listDirectory(packDirectory)) ?? []
    let current = Dictionary(uniqueKeysWithValues: packs.map { ($0.name, $0) })
    for name in names.sorted() where name.hasSuffix(".tpi") && !name.contains(".tmp") {
      let base = String(name.dropLast(4))
      if let open = current[base] {
        fresh.append(open)
        continue
      }
      let indexPath = packDirectory + "/" + name, dataPath = packDirectory + "/" + base + ".tpk"
      do {
        let index = try PackIndex(contentsOf: indexPath)
        let fd = try syscall("open", dataPath) { Glibc.open(dataPath, O_RDONLY | O_CLOEXEC) }
        fresh.append(Pack(name: base, index: index, fd: fd, indexPath: indexPath))
      } catch where !fileExists(indexPath) {
        continue  // removed since the listing by a concurrent gc, which wrote its objects elsewhere first
      }
    }
    // A lookup asks the packs in turn; the biggest (a first add's) holds most objects, so asking it first makes
    // the 70,000 "still stored?" questions of an add one probe each, not one per pack.
    fresh.sort { ($0.index.count, $1.name) > ($1.index.count, $0.name) }
    lock.lock()
    loaded = fresh
    lock.unlock()
  }

  enum Location { case loose(String), packed(pack: Pack, offset: UInt64, size: UInt64) }

  func locate(_ id: ObjectID) -> Location? {
    for p in packs {
      if let e = p.index.find(id) { return .packed(pack: p, offset: e.offset, size: e.size) }
    }
    let path = loosePath(id)
    return fileExists(path) ? .loose(path) : nil
  }

  func contains(_ id: ObjectID) -> Bool { locate(id) != nil }

  /// Whether a pack holds the object, without probing the loose folder: for objects under `looseThreshold`,
  /// which are always packed (a loose copy made for hard links has its packed original).
  func containsPacked(_ id: ObjectID) -> Bool { packs.contains { $0.index.find(id) != nil } }

  /// The object's size in bytes, or nil when the store does not hold it.
  func size(of id: ObjectID) -> Int? {
    switch locate(id) {
    case .packed(_, _, let size)?: return Int(size)
    case .loose(let path)?:
      var st = stat()
      return lstat(path, &st) == 0 ? Int(st.st_size) : nil
    case nil: return nil
    }
  }

  /// The object's bytes, exactly as stored (not re-hashed; `verify` does that). A miss re-reads the pack folder
  /// once, so a long-lived reader sees packs another process wrote after it opened the store.
  func read(_ id: ObjectID) throws -> [UInt8] {
    var location = locate(id)
    if location == nil {
      try reloadPacks()
      location = locate(id)
    }
    switch location {
    case nil:
      throw StoreError(.missingObject, "object \(id.hex) is missing from the store")
    case .loose(let path)?:
      return try readFile(path)
    case .packed(let p, let offset, let size)?:
      try p.checkIndexChecksum()
      var out = [UInt8](repeating: 0, count: Int(size))
      var done = 0
      let path = packDirectory + "/" + p.name + ".tpk"
      while done < out.count {
        let n = try out.withUnsafeMutableBytes { raw in
          try syscall("pread", path) { pread(p.fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done)) }
        }
        if n == 0 { throw StoreError(.corruptObject, "\(path): pack is truncated at object \(id.hex)") }
        done += n
      }
      return out
    }
  }

  /// Every object id the store holds, packed or loose; throws if a pack index's checksum does not match.
  func allObjects() throws -> [ObjectID: Location] {
    var out: [ObjectID: Location] = [:]
    for p in packs {
      try p.checkIndexChecksum()
      for e in p.index.entries { out[e.id] = .packed(pack: p, offset: e.offset, size: e.size) }
    }
    for dir in (try? listDirectory(root)) ?? [] where dir.count == 2 {
      for name in (try? listDirectory(root + "/" + dir)) ?? [] where name.count == 62 {
        if let id = ObjectID(hex: dir + name) { out[id] = .loose(root + "/" + dir + "/" + name) }
      }
    }
    return out
  }
}

func listDirectory(_ path: String) throws -> [String] {
  guard let dir = opendir(path) else { throw StoreError.fromErrno(errno, "opendir", path) }
  defer { closedir(dir) }
  var names: [String] = []
  while let entry = readdir(dir) {
    let name = directoryEntryName(entry)
    if name != "." && name != ".." { names.append(name) }
  }
  return names
}
