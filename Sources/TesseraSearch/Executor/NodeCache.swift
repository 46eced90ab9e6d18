import Crypto
import Foundation
import TesseraRemote
import TesseraStore
#if canImport(Glibc)
import Glibc
#endif

/// A worker's own copy of the searched version, fetched through a remote: for nodes that cannot see the store.
/// One store per remote under the cache folder (node-local by default), shared by every trial on the node; the
/// first trial fetches the version's train and test objects, later ones find them there.
enum NodeCache {
  static func store(from remote: RemoteConfiguration, commit: String, cacheRoot: String?) throws -> Store {
    let root = cacheRoot ?? (NSTemporaryDirectory() + "/tessera-node-cache")
    let name = SHA256.hash(data: Data((remote.url + "\n" + (remote.git ?? "")).utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    let folder = root + "/" + name
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    // One trial at a time sets up or updates the copy; the others wait, then read it.
    let lockPath = folder + ".lock"
    let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw SearchError.badInput("\(lockPath): cannot open: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    guard flock(fd, LOCK_EX) == 0 else { throw SearchError.badInput("\(lockPath): cannot lock: \(String(cString: strerror(errno)))") }
    defer { flock(fd, LOCK_UN) }
    let store: Store
    if FileManager.default.fileExists(atPath: folder + "/.tessera/config") {
      store = try Store.open(at: folder)
    } else {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      store = try Store.initialize(at: folder)
      var list = RemoteList()
      try list.add(RemoteConfiguration(name: "origin", url: remote.url, git: remote.git))
      try list.save(store)
    }
    let origin = try Remote(store: store, name: "origin")
    _ = try origin.fetch([commit], filter: VersionFilter(splits: ["train", "test"]))
    return store
  }
}
