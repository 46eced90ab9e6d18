import CGit2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Tessera dataset store: a folder of files plus `.tessera/`, where objects, the staging index and
/// the git repository of versions live.
///
/// Reading (``entries(revision:)``, ``readObject(_:)``) needs no lock and may run beside a writer; every
/// method that changes the store takes the writer lock for its whole run. One `Store` value serialises its own
/// libgit2 access, so it can be shared between threads.
public final class Store: @unchecked Sendable {
  /// The dataset's root folder (the one holding `.tessera/`).
  public let root: String
  let meta: String
  let objects: ObjectStore
  /// The repository of versions, opened when first needed, or on a thread of its own as the store opens (see
  /// `open(at:openingVersionsEarly:)`): libgit2's set-up parses the system's TLS certificates (4-5 ms).
  private let repository: BackgroundValue<Result<GitRepository, any Error>>
  var repo: GitRepository { get throws { try repository.value.get() } }
  let gitLock = NSLock()

  static let formatMarker = "tessera-store 1\n"

  var gitDirectory: String { meta + "/git" }
  var indexPath: String { meta + "/index" }

  private init(root: String, openingVersionsEarly: Bool = true) throws {
    self.root = root
    meta = root + "/.tessera"
    objects = try ObjectStore(root: meta + "/objects")
    let gitPath = meta + "/git"
    repository = BackgroundValue(startingNow: openingVersionsEarly) { Result { try GitRepository.open(gitPath) } }
  }

  /// Creates `.tessera/` in `directory` (which must exist and not already hold a store).
  @discardableResult
  public static func initialize(at directory: String) throws -> Store {
    let root = try canonicalPath(directory)
    let meta = root + "/.tessera"
    if fileExists(meta) { throw StoreError(.alreadyAStore, "\(meta) already exists: this folder is already a Tessera store") }
    // Build in a temporary folder and rename, so a crash never leaves a half-made store.
    let tmp = root + "/.tessera.tmp-\(getpid())"
    try makeDirectories(tmp + "/objects/pack")
    _ = try GitRepository.create(tmp + "/git")
    try writeFileAtomically(tmp + "/config", Array(formatMarker.utf8))
    try syscall("rename", meta) { rename(tmp, meta) }
    return try Store(root: root)
  }

  /// Opens the store holding `path`, looking in it and then in each parent folder, as git does.
  /// `openingVersionsEarly` opens the repository of versions on another core right away, so that it is ready
  /// when the caller reads or writes a version; without it, it opens when first needed (never, for `add`).
  public static func open(at path: String = ".", openingVersionsEarly: Bool = true) throws -> Store {
    var dir = try canonicalPath(path)
    while true {
      if fileExists(dir + "/.tessera/config") {
        let marker = String(decoding: try readFile(dir + "/.tessera/config"), as: UTF8.self)
        guard marker == formatMarker else {
          throw StoreError(.notAStore, "\(dir)/.tessera/config: unknown store format '\(marker.trimmingNewlines)'")
        }
        return try Store(root: dir, openingVersionsEarly: openingVersionsEarly)
      }
      if dir == "/" || dir.isEmpty {
        throw StoreError(.notAStore, "not a Tessera store (or any parent up to /): \(path); run 'tessera init' first")
      }
      dir = parentDirectory(dir)
    }
  }

  /// Starts opening the repository of versions on another core, for a caller that will need it soon (a store
  /// opened without `openingVersionsEarly` that finds it needs versions after all).
  func openVersionsInBackground() { repository.start() }

  func lockForWriting(waitSeconds: Double = 0) throws -> WriterLock {
    let lock = try WriterLock(path: meta + "/lock", waitSeconds: waitSeconds)
    removeAbandonedGitLocks()
    return lock
  }

  func withGit<T>(_ body: () throws -> T) rethrows -> T {
    gitLock.lock()
    defer { gitLock.unlock() }
    return try body()
  }

  /// `withGit` with the repository opened (or its failure to open thrown) first.
  func withGit<T>(_ body: (GitRepository) throws -> T) throws -> T {
    let repo = try self.repo
    return try withGit { try body(repo) }
  }

  /// The bytes of an object. Safe to call from several threads at once.
  public func readObject(_ id: ObjectID) throws -> [UInt8] { try objects.read(id) }

  /// The files of a version (a commit id, branch, tag, or `HEAD~N`), sorted by path, read from git without a checkout.
  public func entries(revision: String) throws -> [VersionEntry] {
    try withGit { repo in
      let commit = try repo.resolveCommit(revision)
      return try files(ofCommit: commit)
    }
  }

  /// The full commit id a revision names.
  public func resolve(_ revision: String) throws -> String {
    try withGit { repo in try repo.resolveCommit(revision).hex }
  }

  /// The staged files: what the next commit would record.
  public func stagedFiles() throws -> [TrackedFile] { try StagingIndex.load(indexPath).files }

  func files(ofCommit commit: GitOID) throws -> [TrackedFile] {
    var out: [TrackedFile] = []
    try collect(tree: try repo.treeID(ofCommit: commit), prefix: "", into: &out)
    return out
  }

  private func collect(tree: GitOID, prefix: String, into out: inout [TrackedFile]) throws {
    for entry in try repo.treeEntries(tree) {
      let path = prefix.isEmpty ? entry.name : prefix + "/" + entry.name
      if entry.isTree {
        try collect(tree: entry.id, prefix: path, into: &out)
      } else {
        out.append(try Pointer.parse(repo.blobBytes(entry.id), path: path))
      }
    }
  }

  /// Turns a user's path argument into a path relative to the root, refusing anything outside the store.
  public func relativePath(_ argument: String, from cwd: String = FileManager.default.currentDirectoryPath) throws -> String {
    let absolute = argument.hasPrefix("/") ? argument : cwd + "/" + argument
    var parts: [Substring] = []
    for part in absolute.split(separator: "/") {
      if part == "." || part.isEmpty { continue }
      if part == ".." {
        if !parts.isEmpty { parts.removeLast() }
        continue
      }
      parts.append(part)
    }
    let rootParts = root.split(separator: "/")
    guard parts.count >= rootParts.count, Array(parts.prefix(rootParts.count)) == rootParts else {
      throw StoreError(.badInput, "\(argument): outside the dataset root \(root)")
    }
    let rel = parts.dropFirst(rootParts.count).joined(separator: "/")
    if rel == ".tessera" || rel.hasPrefix(".tessera/") {
      throw StoreError(.badInput, "\(argument): inside the store's own folder")
    }
    return rel
  }
}

func canonicalPath(_ path: String) throws -> String {
  guard let resolved = realpath(path, nil) else { throw StoreError.fromErrno(errno, "realpath", path) }
  defer { free(resolved) }
  return String(cString: resolved)
}

extension Store {
  /// The branch HEAD is on, or nil when HEAD is detached.
  public func currentBranch() throws -> String? { try withGit { repo in try repo.currentBranch() } }
}
