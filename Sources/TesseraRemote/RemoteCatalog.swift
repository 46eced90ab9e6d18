import Foundation
import TesseraStore

/// What a remote holds: its packs' indexes (downloaded once, checked, cached under `.tessera/remotes/<name>/packs`)
/// and its large objects.
struct RemoteCatalog {
  enum Location: Equatable {
    case packed(pack: String, offset: UInt64, size: UInt64)
    case loose(size: Int64)
  }

  var packs: [String: PackIndex] = [:]
  /// Sizes of the packs' `.tpk` files as listed.
  var packSizes: [String: Int64] = [:]
  var loose: [ObjectID: Int64] = [:]

  func locate(_ id: ObjectID) -> Location? {
    for (name, index) in packs {
      if let e = index.find(id) { return .packed(pack: name, offset: e.offset, size: e.size) }
    }
    return loose[id].map { .loose(size: $0) }
  }

  var objectCount: Int { packs.values.reduce(0) { $0 + $1.count } + loose.count }
}

extension Remote {
  /// Lists the remote and brings the cached pack indexes up to date. A pack whose `.tpi` is not there yet is
  /// ignored (its upload has not finished); a `.tpi` that fails its checksum is an error.
  func refreshCatalog() throws -> RemoteCatalog {
    var catalog = RemoteCatalog()
    let listed = try backend.list("packs/")
    var tpk: [String: Int64] = [:]
    var tpi: [String] = []
    for (key, size) in listed {
      let file = String(key.dropFirst("packs/".count))
      if file.hasSuffix(".tpk") { tpk[String(file.dropLast(4))] = size }
      if file.hasSuffix(".tpi") { tpi.append(String(file.dropLast(4))) }
    }
    let cache = cacheDirectory + "/packs/"
    let names = tpi.filter { Self.isPackName($0) }
    let fetched = Locked<[String: PackIndex]>([:])
    try runConcurrently(names.count, width: parallelism) { [backend] i in
      let packName = names[i]
      let cached = cache + packName + ".tpi"
      if let bytes = FileManager.default.contents(atPath: cached), let index = try? PackIndex(bytes: Array(bytes), path: cached) {
        fetched.with { $0[packName] = index }
        return
      }
      guard let data = try backend.get("packs/\(packName).tpi") else { return }
      let index = try PackIndex(bytes: Array(data), path: "\(backend.displayName)/packs/\(packName).tpi")
      try writeFileAtomically(data, to: URL(fileURLWithPath: cached))
      fetched.with { $0[packName] = index }
    }
    catalog.packs = fetched.current
    catalog.packSizes = tpk
    // Forget cached indexes of packs the remote no longer has.
    for file in (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [] where file.hasSuffix(".tpi") {
      if catalog.packs[String(file.dropLast(4))] == nil { try? FileManager.default.removeItem(atPath: cache + file) }
    }
    for (key, size) in try backend.list("objects/") {
      if let id = ObjectID(hex: key.dropFirst("objects/".count)) { catalog.loose[id] = size }
    }
    let looseList = catalog.loose.map { "\($0.key.hex) \($0.value)\n" }.sorted().joined()
    try writeFileAtomically(Data(looseList.utf8), to: URL(fileURLWithPath: cacheDirectory + "/loose"))
    return catalog
  }

  /// The catalog as last refreshed, read from the cache without asking the remote.
  func cachedCatalog() -> RemoteCatalog { Self.cachedCatalog(cacheDirectory) }

  static func cachedCatalog(_ cacheDirectory: String) -> RemoteCatalog {
    var catalog = RemoteCatalog()
    let cache = cacheDirectory + "/packs/"
    for file in (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [] where file.hasSuffix(".tpi") {
      if let bytes = FileManager.default.contents(atPath: cache + file), let index = try? PackIndex(bytes: Array(bytes), path: file) {
        catalog.packs[String(file.dropLast(4))] = index
      }
    }
    let loose = (try? String(contentsOfFile: cacheDirectory + "/loose", encoding: .utf8)) ?? ""
    for line in loose.split(separator: "\n") {
      let parts = line.split(separator: " ")
      if parts.count == 2, let id = ObjectID(hex: parts[0]), let size = Int64(parts[1]) { catalog.loose[id] = size }
    }
    return catalog
  }
}

extension RemoteList {
  /// Whether any remote of the store, as last seen, holds an object: lets local `verify` tell objects left on
  /// a remote (after a clone or partial fetch) from objects that are lost.
  public static func knownHolder(_ store: Store) -> (ObjectID) -> Bool {
    let catalogs = ((try? load(store))?.remotes ?? []).map { Remote.cachedCatalog(store.metaDirectory + "/remotes/" + $0.name) }
    return { id in catalogs.contains { $0.locate(id) != nil } }
  }

}

extension Remote {
  static func isPackName(_ name: String) -> Bool {
    name.hasPrefix("pack-") && name.count == 45 && name.dropFirst(5).allSatisfy(\.isHexDigit)
  }
}
