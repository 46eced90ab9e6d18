import Crypto
import Foundation
import TesseraStore

/// What `verify --remote` found.
public struct RemoteVerifyReport: Codable, Sendable {
  public var remote: String
  public var references: [String] = []
  public var objectsNeeded = 0
  public var objectsOnRemote = 0
  public var packs = 0
  /// Bytes downloaded and re-hashed (with `deep`).
  public var bytesRehashed: Int64 = 0
  public var problems: [String] = []
  public var isClean: Bool { problems.isEmpty }
}

extension Remote {
  /// Proves that the remote holds every object of every version its references reach: each pack index is
  /// checked against its checksum and against its pack's size, and each needed object must be listed with the
  /// size its pointer records. With `deep`, every byte is downloaded and every object re-hashed.
  public func verify(deep: Bool = false, progress: TransferProgress? = nil) throws -> RemoteVerifyReport {
    var report = RemoteVerifyReport(remote: name)
    let git = try gitURL()
    let advertised = try store.fetchVersions(gitURL: git, remoteName: name)
    report.references = advertised.map(\.name).sorted()
    let roots = Array(Set(advertised.map(\.commit))).filter { store.commitIfExists($0) != nil }
    let needed = roots.isEmpty ? [:] : try store.objectsReachable(from: roots)
    report.objectsNeeded = needed.count
    let catalog: RemoteCatalog
    do {
      catalog = try refreshCatalog()
    } catch {
      report.problems.append("\(error)")
      return report
    }
    report.objectsOnRemote = catalog.objectCount
    report.packs = catalog.packs.count
    for (pack, index) in catalog.packs.sorted(by: { $0.key < $1.key }) {
      let end = index.entries.map { $0.offset + $0.size }.max() ?? 4
      guard let size = catalog.packSizes[pack] else {
        report.problems.append("packs/\(pack).tpi has no packs/\(pack).tpk beside it")
        continue
      }
      if UInt64(size) < end { report.problems.append("packs/\(pack).tpk is \(size) bytes; its index reaches \(end)") }
    }
    for (id, size) in needed.sorted(by: { $0.key < $1.key }) {
      switch catalog.locate(id) {
      case nil: report.problems.append("object \(id.hex) (\(size) bytes) is missing on the remote")
      case .packed(let pack, _, let stored)? where Int64(stored) != size:
        report.problems.append("object \(id.hex) is \(stored) bytes in packs/\(pack).tpk; its pointer says \(size)")
      case .loose(let stored)? where stored != size:
        report.problems.append("objects/\(id.hex) is \(stored) bytes; its pointer says \(size)")
      default: break
      }
    }
    if deep { try rehashEverything(catalog, report: &report, progress: progress) }
    return report
  }

  private func rehashEverything(_ catalog: RemoteCatalog, report: inout RemoteVerifyReport, progress: TransferProgress?) throws {
    struct Job { var key: String; var range: Range<Int64>; var objects: [(ObjectID, Int64, Int64)] }
    var jobs: [Job] = []
    for (pack, index) in catalog.packs {
      var current: Job?
      for e in index.entries.sorted(by: { $0.offset < $1.offset }) {
        let start = Int64(e.offset), end = start + Int64(e.size)
        if var job = current, end - job.range.lowerBound <= Int64(partSize) || job.objects.isEmpty {
          job.range = job.range.lowerBound..<max(job.range.upperBound, end)
          job.objects.append((e.id, start, Int64(e.size)))
          current = job
        } else {
          if let job = current { jobs.append(job) }
          current = Job(key: "packs/\(pack).tpk", range: start..<end, objects: [(e.id, start, Int64(e.size))])
        }
      }
      if let job = current { jobs.append(job) }
    }
    let planned = jobs
    let loose = Array(catalog.loose)
    let total = jobs.reduce(Int64(0)) { $0 + ($1.range.upperBound - $1.range.lowerBound) } + loose.reduce(0) { $0 + $1.value }
    let done = SharedCount()
    let problems = Locked<[String]>([])
    try runConcurrently(planned.count, width: parallelism) { [backend] i in
      let job = planned[i]
      guard let data = try backend.get(job.key, range: job.range), Int64(data.count) == job.range.upperBound - job.range.lowerBound else {
        problems.with { $0.append("\(job.key): missing or shorter than \(job.range.upperBound) bytes") }
        return
      }
      for (id, offset, size) in job.objects {
        let from = Int(offset - job.range.lowerBound)
        let actual = ObjectID.hashing(data[from..<(from + Int(size))])
        if actual != id { problems.with { $0.append("\(job.key): object \(id.hex) is corrupt (its bytes hash to \(actual.hex))") } }
      }
      progress?(done.add(Int64(data.count)), total)
    }
    // Large objects: read in parts and hashed as they arrive, never held whole.
    let partSize = self.partSize
    try runConcurrently(loose.count, width: max(1, parallelism / 4)) { [backend] i in
      let (id, size) = loose[i]
      let key = "objects/\(id.hex)"
      var hasher = Crypto.SHA256()
      var offset: Int64 = 0
      while offset < size {
        let end = min(size, offset + Int64(partSize))
        guard let data = try backend.get(key, range: offset..<end), !data.isEmpty else {
          problems.with { $0.append("\(key): missing or shorter than \(size) bytes") }
          return
        }
        hasher.update(data: data)
        offset += Int64(data.count)
        progress?(done.add(Int64(data.count)), total)
      }
      let actual = ObjectID(digest: hasher.finalize())
      if actual != id { problems.with { $0.append("\(key): object \(id.hex) is corrupt (its bytes hash to \(actual.hex))") } }
    }
    report.bytesRehashed = done.current
    report.problems += problems.current.sorted()
  }
}
