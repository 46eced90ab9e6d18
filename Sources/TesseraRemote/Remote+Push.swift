import Foundation
import TesseraStore
#if canImport(Glibc)
import Glibc
#endif

/// What a push did.
public struct PushReport: Codable, Sendable {
  public var remote: String
  public var references: [String] = []
  /// Objects the pushed versions need, and how many of them the remote already had.
  public var objectsNeeded = 0
  public var objectsAlreadyThere = 0
  public var objectsSent = 0
  public var bytesSent: Int64 = 0
  public var packsSent = 0
  /// Parts of an interrupted upload found on the remote and not sent again.
  public var partsResumed = 0
  public var rejected: [String] = []
}

public typealias TransferProgress = @Sendable (_ done: Int64, _ total: Int64) -> Void

extension Remote {
  /// Sends the objects the versions behind `references` need (all their history) that the remote lacks, then
  /// moves the references on the git remote. `references` are branch or tag names; empty means the current branch.
  public func push(_ references: [String] = [], all: Bool = false, force: Bool = false,
                   progress: TransferProgress? = nil) throws -> PushReport {
    let lock = try lockTransfers()
    defer { close(lock) }
    var report = PushReport(remote: name)
    let trace = PhaseTrace()
    report.references = try resolvePushReferences(references, all: all)
    let git = try gitURL()
    if let path = Store.localPath(ofURL: git) { try Store.createGitRemote(at: path) }

    // 1. Finish packs an interrupted push staged, then see what the remote has.
    let resumedEarlier = try sendOutgoingPacks(progress: nil, report: &report)
    report.partsResumed += resumedEarlier
    let catalog = try refreshCatalog()
    trace.mark("remote catalog")
    let needed = try store.objectsReachable(from: report.references)
    trace.mark("read versions")
    report.objectsNeeded = needed.count
    let missing = needed.filter { catalog.locate($0.key) == nil }
    report.objectsAlreadyThere = needed.count - missing.count
    let absent = Array(store.missingObjects(missing.keys))
    if !absent.isEmpty {
      throw RemoteError("cannot push to '\(name)': \(absent.count) object(s) of these versions are not in this store (e.g. \(absent[0].hex)); a partial fetch? run 'tessera fetch' for them first")
    }

    // 2. Small objects travel in new packs, staged locally first so an interrupted upload can resume exactly.
    let threshold = Int64(1 << 20)
    let small = missing.filter { $0.value < threshold }.keys.sorted()
    let large = missing.filter { $0.value >= threshold }.keys.sorted()
    let total = missing.values.reduce(0, +)
    let sent = SharedCount()
    let tick: @Sendable (Int64) -> Void = { n in progress?(sent.add(n), total) }
    if !small.isEmpty {
      _ = try store.writePacks(of: small, into: cacheDirectory + "/outgoing", packBytes: 256 << 20)
      trace.mark("stage packs")
      let resumed = try sendOutgoingPacks(progress: tick, report: &report)
      report.partsResumed += resumed
      report.objectsSent += small.count
    }
    // 3. Large objects, each under its own key.
    try runConcurrently(large.count, width: max(1, parallelism / 4)) { [self] i in
      let id = large[i]
      guard let path = store.looseObjectPath(id) else { throw RemoteError("object \(id.hex) is not a loose object in this store") }
      _ = try uploadFile(path, key: "objects/\(id.hex)", progress: tick)
    }
    report.objectsSent += large.count
    report.bytesSent = sent.current
    trace.mark("upload")

    // 4. Only now may the versions appear: describe the remote, then move its references.
    if try readDescriptor() == nil {
      var recorded = configuration.git.map(Self.absoluteGit)
      if case .folder(let root) = location, recorded == nil || recorded == root + "/git" { recorded = "git" }
      let descriptor = Descriptor(format: Self.formatMarker, git: recorded)
      try backend.put(Self.descriptorKey, JSONEncoder().encode(descriptor))
    }
    let pushed: [PushedReference]
    do {
      pushed = try store.pushVersions(gitURL: git, references: report.references, force: force)
    } catch let error as GitError where error.code == -11 {
      throw RemoteError("remote '\(name)' has versions this store lacks (not a fast-forward); run 'tessera pull \(name)' first, or push to a new branch (objects were sent and are kept)")
    } catch let error as GitError {
      throw RemoteError("cannot push versions to '\(name)' (git \(git)): \(error.message)")
    }
    trace.mark("git push")
    report.rejected = pushed.compactMap { p in p.rejection.map { "\(p.name): \($0)" } }
    if !report.rejected.isEmpty {
      throw RemoteError("remote '\(name)' refused \(report.rejected.joined(separator: "; ")) — the remote has versions this store lacks; run 'tessera pull \(name)' first (objects were sent and are kept)")
    }
    return report
  }

  private func resolvePushReferences(_ names: [String], all: Bool) throws -> [String] {
    if all { return try store.allBranchesAndTags() }
    if names.isEmpty {
      guard let branch = try store.currentBranch() else {
        throw RemoteError("HEAD is detached: name a branch or tag to push, e.g. 'tessera push \(name) main'")
      }
      guard store.commitIfExists("refs/heads/\(branch)") != nil else { throw RemoteError("branch '\(branch)' has no versions yet; commit first") }
      return ["refs/heads/\(branch)"]
    }
    return try names.flatMap { n -> [String] in
      let found = try store.fullReferenceNames(n)
      if found.isEmpty { throw RemoteError("'\(n)' is not a branch or tag of this store (push names branches and tags, not commits)") }
      return found
    }
  }

  /// Uploads every pack waiting in `outgoing/` (data first, index last), caches its index and removes it.
  /// Returns the number of parts that an earlier, interrupted run had already sent.
  private func sendOutgoingPacks(progress: (@Sendable (Int64) -> Void)?, report: inout PushReport) throws -> Int {
    let outgoing = cacheDirectory + "/outgoing/"
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: outgoing)) ?? [])
      .filter { $0.hasSuffix(".tpi") && Self.isPackName(String($0.dropLast(4))) }.map { String($0.dropLast(4)) }.sorted()
    var resumed = 0
    for pack in names {
      resumed += try uploadFile(outgoing + pack + ".tpk", key: "packs/\(pack).tpk", progress: progress)
      let index = try Data(contentsOf: URL(fileURLWithPath: outgoing + pack + ".tpi"))
      try backend.put("packs/\(pack).tpi", index)
      FaultInjection.transferCompleted()
      try writeFileAtomically(index, to: URL(fileURLWithPath: cacheDirectory + "/packs/" + pack + ".tpi"))
      try? FileManager.default.removeItem(atPath: outgoing + pack + ".tpk")
      try? FileManager.default.removeItem(atPath: outgoing + pack + ".tpi")
      report.packsSent += 1
    }
    // Leftovers of a pack writer killed before its index existed are useless.
    for file in (try? FileManager.default.contentsOfDirectory(atPath: outgoing)) ?? [] where file.hasPrefix("tmp-") {
      try? FileManager.default.removeItem(atPath: outgoing + file)
    }
    return resumed
  }

  /// State of a multipart upload, kept so a later run continues it instead of starting over.
  struct UploadState: Codable {
    var key: String
    var upload: String
    var partSize: Int
    var size: Int64
  }

  /// Uploads a local file to `key`: in one request when small, else in parts sent in parallel. An upload cut
  /// short resumes from the parts the remote already holds. Returns how many parts were resumed.
  @discardableResult
  func uploadFile(_ path: String, key: String, progress: (@Sendable (Int64) -> Void)?) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
    // S3 allows 10,000 parts: bigger files get bigger parts.
    let partSize = max(uploadPartSize, Int((size + 9_999) / 10_000))
    if size <= Int64(partSize) {
      guard let data = FileManager.default.contents(atPath: path) else { throw RemoteError("\(path): cannot read") }
      try backend.put(key, data)
      FaultInjection.transferCompleted()
      progress?(size)
      return 0
    }
    let statePath = cacheDirectory + "/upload-" + key.replacingOccurrences(of: "/", with: "_") + ".json"
    var state: UploadState?
    var done: [Int: (etag: String, size: Int64)] = [:]
    if let data = FileManager.default.contents(atPath: statePath),
       let saved = try? JSONDecoder().decode(UploadState.self, from: data), saved.key == key {
      if saved.size == size, let parts = try backend.uploadedParts(key, upload: saved.upload) {
        state = saved
        done = parts
      } else {
        // An upload of other bytes (or one the server forgot): drop it rather than leave its parts behind.
        try? backend.abortUpload(key, upload: saved.upload)
      }
    }
    if state == nil {
      state = UploadState(key: key, upload: try backend.startUpload(key), partSize: partSize, size: size)
      try writeFileAtomically(JSONEncoder().encode(state!), to: URL(fileURLWithPath: statePath))
    }
    let s = state!
    let count = Int((size + Int64(s.partSize) - 1) / Int64(s.partSize))
    let length: @Sendable (Int) -> Int64 = { number in min(Int64(s.partSize), size - Int64(number - 1) * Int64(s.partSize)) }
    let partsToSend = (1...count).filter { n in done[n].map { $0.size != length(n) } ?? true }
    let resumed = count - partsToSend.count
    if resumed > 0 { progress?(Int64(resumed) * Int64(s.partSize)) }
    let etags = Locked(done.mapValues(\.etag))
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw RemoteError("\(path): cannot open: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    try runConcurrently(partsToSend.count, width: parallelism) { [backend] i in
      let number = partsToSend[i]
      let n = Int(length(number))
      var data = Data(count: n)
      let got = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(Int64(number - 1) * Int64(s.partSize))) }
      guard got == n else { throw RemoteError("\(path): short read at part \(number)") }
      let etag = try backend.uploadPart(key, upload: s.upload, number: number, data)
      etags.with { $0[number] = etag }
      FaultInjection.transferCompleted()
      progress?(Int64(n))
    }
    do {
      try backend.finishUpload(key, upload: s.upload, parts: etags.current.map { ($0.key, $0.value) })
    } catch {
      // A completion whose answer was lost and then retried finds the upload gone: fine if the object is there.
      guard try backend.size(of: key) == size else { throw error }
    }
    try? FileManager.default.removeItem(atPath: statePath)
    return resumed
  }
}
