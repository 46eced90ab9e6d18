import Foundation
import TesseraStore
#if canImport(Glibc)
import Glibc
#endif

/// A store's view of one remote: its objects in a backend (S3 or a folder) and its versions in a git remote.
///
/// Layout under the remote's root (docs/FORMAT.md):
/// `tessera-remote.json` (format and git URL), `packs/pack-<40 hex>.tpk|.tpi` (data packs, as in the local
/// store; a pack counts once its `.tpi` exists), `objects/<64 hex>` (objects of 1 MiB or more), and for a folder
/// remote, by default, `git/` (a bare repository). Objects always arrive before any version that needs them.
public final class Remote: @unchecked Sendable {
  public let store: Store
  public let configuration: RemoteConfiguration
  public let location: RemoteLocation
  let backend: any ObjectBackend
  /// `.tessera/remotes/<name>/`: cached pack indexes, outgoing packs and upload state.
  let cacheDirectory: String

  /// Transfers in flight at once, and the size of one part of a multipart upload or one ranged download.
  public var parallelism = 16
  /// Ranged downloads use it as is; uploads never use parts under S3's minimum of 5 MiB.
  public var partSize: Int = Remote.defaultPartSize
  var uploadPartSize: Int { max(partSize, 5 << 20) }

  static let defaultPartSize: Int = {
    if let text = ProcessInfo.processInfo.environment["TESSERA_REMOTE_PART_SIZE"], let n = Int(text), n >= 64 << 10 { return n }
    return 8 << 20
  }()

  static let descriptorKey = "tessera-remote.json"
  static let formatMarker = "tessera-remote 1"

  public convenience init(store: Store, name: String) throws {
    try self.init(store: store, configuration: RemoteList.load(store).named(name))
  }

  public convenience init(store: Store, configuration: RemoteConfiguration) throws {
    try self.init(store: store, configuration: configuration, backend: nil)
  }

  package init(store: Store, configuration: RemoteConfiguration, backend: (any ObjectBackend)? = nil) throws {
    self.store = store
    self.configuration = configuration
    location = try RemoteLocation(configuration.url)
    self.backend = try backend ?? location.backend()
    cacheDirectory = store.metaDirectory + "/remotes/" + configuration.name
    try FileManager.default.createDirectory(atPath: cacheDirectory + "/packs", withIntermediateDirectories: true)
  }

  public var name: String { configuration.name }

  // MARK: The descriptor and the git URL

  struct Descriptor: Codable {
    var format: String
    var git: String?
  }

  func readDescriptor() throws -> Descriptor? {
    guard let data = try backend.get(Self.descriptorKey) else { return nil }
    guard let d = try? JSONDecoder().decode(Descriptor.self, from: data), d.format == Self.formatMarker else {
      throw RemoteError("\(backend.displayName)/\(Self.descriptorKey): not a Tessera remote descriptor")
    }
    return d
  }

  /// The git URL for versions: the configured one, else the descriptor's, else a folder remote's own `git/`.
  func gitURL() throws -> String {
    if let git = configuration.git { return Self.absoluteGit(git) }
    if let described = try readDescriptor()?.git {
      if case .folder(let root) = location, !described.contains("://"), !described.hasPrefix("/") { return root + "/" + described }
      return described
    }
    if case .folder(let root) = location { return root + "/git" }
    throw RemoteError("remote '\(name)' (\(configuration.url)) has no git URL for versions: add it with 'tessera remote add \(name) \(configuration.url) --git URL'")
  }

  static func absoluteGit(_ git: String) -> String {
    if git.contains("://") || git.hasPrefix("/") || git.contains("@") { return git }
    return ((FileManager.default.currentDirectoryPath + "/" + git) as NSString).standardizingPath
  }

  // MARK: Remote-tracking state

  /// The commits of the remote's branches as last fetched: `main` → commit.
  public func trackedBranches() throws -> [String: String] {
    let prefix = "refs/remotes/\(name)/"
    var out: [String: String] = [:]
    for (ref, commit) in try store.remoteTrackingReferences(name) { out[String(ref.dropFirst(prefix.count))] = commit }
    return out
  }

  /// Serialises transfers of this remote between processes (two pushes would stage the same packs).
  func lockTransfers() throws -> Int32 {
    let path = cacheDirectory + "/lock"
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw RemoteError("\(path): cannot open: \(String(cString: strerror(errno)))") }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      close(fd)
      throw RemoteError("another tessera process is transferring with remote '\(name)'; try again when it finishes")
    }
    return fd
  }
}
