import Foundation
import TesseraStore

/// What a fetch did.
public struct FetchReport: Codable, Sendable {
  public var remote: String
  /// Remote branches after the fetch: name → commit.
  public var branches: [String: String] = [:]
  /// The versions whose files were wanted (commit ids).
  public var versions: [String] = []
  public var filesSelected = 0
  public var objectsAlreadyHere = 0
  public var objectsFetched = 0
  public var bytesFetched: Int64 = 0
  public var requests = 0
}

extension Remote {
  /// Fetches the remote's versions (all branches and new tags, through git) and the objects of the selected
  /// files of `revisions` — by default, the tip of every remote branch. Every object is re-hashed on arrival
  /// and refused when it does not match its name; what arrived whole before an interruption is kept.
  public func fetch(_ revisions: [String] = [], filter: VersionFilter = VersionFilter(),
                    progress: TransferProgress? = nil) throws -> FetchReport {
    let lock = try lockTransfers()
    defer { close(lock) }
    var report = FetchReport(remote: name)
    let trace = PhaseTrace()
    // In a partial checkout, a fetch without a selection gets what the checkout selects.
    let filter = filter.isEverything ? (try store.sparseFilter() ?? filter) : filter
    let git = try gitURL()
    do {
      try store.fetchVersions(gitURL: git, remoteName: name)
    } catch {
      throw RemoteError("cannot fetch versions from '\(name)' (git \(git)): \(error)")
    }
    trace.mark("git fetch")
    report.branches = try trackedBranches()
    var commits: [String] = []
    if revisions.isEmpty {
      commits = Array(Set(report.branches.values)).sorted()
    } else {
      for r in revisions {
        guard let c = store.commitIfExists("refs/remotes/\(name)/\(r)") ?? store.commitIfExists(r) else {
          throw RemoteError("'\(r)' is not a branch, tag or version of remote '\(name)'")
        }
        commits.append(c)
      }
    }
    report.versions = commits
    var wanted: [ObjectID: (size: Int64, path: String)] = [:]
    for commit in commits {
      for file in try store.entries(revision: commit) where filter.matches(file) {
        report.filesSelected += 1
        wanted[file.object] = (file.size, file.path)
      }
    }
    trace.mark("read versions")
    let absent = store.missingObjects(wanted.keys)
    let missing = wanted.filter { absent.contains($0.key) }
    report.objectsAlreadyHere = wanted.count - missing.count
    guard !missing.isEmpty else { return report }
    trace.mark("missing objects")
    let catalog = try refreshCatalog()
    trace.mark("remote catalog")
    try download(Array(missing.keys), catalog: catalog, describe: { missing[$0]?.path ?? "" }, progress: progress, report: &report)
    trace.mark("download")
    return report
  }

  /// Downloads objects into the store: packed ones by ranged reads of the remote packs (neighbours merged into
  /// one request), large ones into a temporary file that a later run continues.
  func download(_ ids: [ObjectID], catalog: RemoteCatalog, describe: (ObjectID) -> String,
                progress: TransferProgress?, report: inout FetchReport) throws {
    var byPack: [String: [(ObjectID, UInt64, UInt64)]] = [:]
    var large: [(ObjectID, Int64)] = []
    var unknown: [ObjectID] = []
    for id in ids {
      switch catalog.locate(id) {
      case .packed(let pack, let offset, let size)?: byPack[pack, default: []].append((id, offset, size))
      case .loose(let size)?: large.append((id, size))
      case nil: unknown.append(id)
      }
    }
    if !unknown.isEmpty {
      throw RemoteError("remote '\(name)' lacks \(unknown.count) object(s) its versions need (e.g. \(unknown[0].hex) for \(describe(unknown[0]))); run 'tessera verify --remote \(name)'")
    }
    // Merge neighbouring objects of a pack into requests of at most one part.
    struct Request { var pack: String; var start: UInt64; var end: UInt64; var objects: [(ObjectID, UInt64, UInt64)] }
    var requests: [Request] = []
    for (pack, entries) in byPack {
      for e in entries.sorted(by: { $0.1 < $1.1 }) {
        if var last = requests.last, last.pack == pack, e.1 <= last.end + 256 * 1024, e.1 + e.2 - last.start <= UInt64(partSize) {
          last.end = max(last.end, e.1 + e.2)
          last.objects.append(e)
          requests[requests.count - 1] = last
        } else {
          requests.append(Request(pack: pack, start: e.1, end: e.1 + e.2, objects: [e]))
        }
      }
    }
    let total = Int64(requests.reduce(UInt64(0)) { $0 + $1.end - $1.start }) + large.reduce(0) { $0 + $1.1 }
    let plannedRequests = requests, plannedLarge = large
    let received = SharedCount()
    let sentRequests = SharedCount()
    let objectsDone = SharedCount()
    let source = backend.displayName
    try store.withWriterLock {
      // Sealed every 16 parts, so an interrupted fetch keeps most of what arrived.
      let importer = try store.makeObjectImporter(packBytes: UInt64(partSize) * 16)
      var failure: Error?
      do {
        try runConcurrently(plannedRequests.count, width: parallelism) { [backend] i in
          let r = plannedRequests[i]
          let key = "packs/\(r.pack).tpk"
          guard let data = try backend.get(key, range: Int64(r.start)..<Int64(r.end)), data.count == Int(r.end - r.start) else {
            throw RemoteError("\(source)/\(key): missing or shorter than its index says")
          }
          sentRequests.add(1)
          for (id, offset, size) in r.objects {
            let from = Int(offset - r.start)
            try importer.add(id, Array(data[from..<(from + Int(size))]), source: "\(source)/\(key)")
            objectsDone.add(1)
          }
          FaultInjection.transferCompleted()
          progress?(received.add(Int64(data.count)), total)
        }
        try runConcurrently(plannedLarge.count, width: max(1, parallelism / 4)) { [self] i in
          let (id, size) = plannedLarge[i]
          let requests = try downloadLarge(id, size: size, importer: importer, progress: { progress?(received.add($0), total) })
          sentRequests.add(Int64(requests))
          objectsDone.add(1)
        }
      } catch {
        failure = error
      }
      // Whatever arrived whole is kept, even when something else failed.
      try importer.finish()
      if let failure { throw failure }
    }
    report.objectsFetched = Int(objectsDone.current)
    report.bytesFetched = received.current
    report.requests = Int(sentRequests.current)
  }

  /// Downloads one large object in ranged pieces, appending to a temporary file that survives interruption.
  private func downloadLarge(_ id: ObjectID, size: Int64, importer: ObjectImporter, progress: (Int64) -> Void) throws -> Int {
    let key = "objects/\(id.hex)"
    let tmp = importer.temporaryPath(for: id)
    if !FileManager.default.fileExists(atPath: tmp) { _ = FileManager.default.createFile(atPath: tmp, contents: nil) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
    defer { try? handle.close() }
    var have = Int64(try handle.seekToEnd())
    if have > size {
      try handle.truncate(atOffset: 0)
      have = 0
    }
    progress(have)
    var requests = 0
    while have < size {
      let end = min(size, have + Int64(partSize))
      guard let data = try backend.get(key, range: have..<end), !data.isEmpty else {
        throw RemoteError("\(backend.displayName)/\(key): missing or shorter than \(size) bytes")
      }
      try handle.write(contentsOf: data)
      have += Int64(data.count)
      requests += 1
      FaultInjection.transferCompleted()
      progress(Int64(data.count))
    }
    try handle.synchronize()
    try importer.adoptLooseFile(tmp, as: id, source: "\(backend.displayName)/\(key)")
    return requests
  }
}

extension Remote {
  /// Fails with advice unless the remote's branches or tags hold `revision` (so workers can fetch it there).
  public func requireVersion(_ revision: String) throws {
    let commit = try store.resolve(revision)
    let missing = RemoteError("remote '\(name)' does not hold version \(revision) (\(commit.prefix(12))): push it first ('tessera push \(name) --all')")
    let git = try gitURL()
    if let path = Store.localPath(ofURL: git), !FileManager.default.fileExists(atPath: path + "/HEAD") { throw missing }
    let advertised = try store.fetchVersions(gitURL: git, remoteName: name)
    for ref in advertised where store.commitIfExists(ref.commit) != nil {
      if try store.isAncestor(commit, of: ref.commit) { return }
    }
    throw missing
  }
}
