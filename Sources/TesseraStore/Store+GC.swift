import CGit2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct GCReport: Sendable, Codable {
  public var dryRun: Bool
  public var reachableObjects = 0
  public var unreachableObjects = 0
  public var bytesFreed: Int64 = 0
  public var packsRewritten = 0
  /// Small data packs merged into one (each `add` writes its own), so lookups ask few packs.
  public var smallPacksMerged = 0
  /// The version repository's packs (one per commit) merged into one.
  public var versionPacksMerged = 0
  public var temporaryFilesRemoved = 0
  public var removed: [String] = []
}

extension Store {
  /// Every object a ref's history (or a tree a ref names) or the staging index points at.
  func reachableObjects() throws -> Set<ObjectID> {
    var reachable = Set<ObjectID>()
    for e in try StagingIndex.load(indexPath).allEntries() { reachable.insert(e.file.object) }
    try withGit { repo in
      var seen = Set<GitOID>()
      try repo.forEachReachableVersion(
        commit: { commit in try collectObjects(try repo.treeID(ofCommit: commit), seen: &seen, into: &reachable) },
        tree: { _, tree in try collectObjects(tree, seen: &seen, into: &reachable) })
    }
    return reachable
  }

  private func collectObjects(_ tree: GitOID, seen: inout Set<GitOID>, into out: inout Set<ObjectID>) throws {
    guard seen.insert(tree).inserted else { return }
    for entry in try repo.treeEntries(tree) {
      if entry.isTree {
        try collectObjects(entry.id, seen: &seen, into: &out)
      } else if seen.insert(entry.id).inserted {  // a pointer unchanged since an earlier version is read once
        // A pointer that does not parse still must not cost us the objects of the rest: gc refuses instead.
        out.insert(try Pointer.parse(repo.blobBytes(entry.id), path: entry.name).object)
      }
    }
  }

  /// Removes objects no ref and no staged file reaches, and leftovers of interrupted writes.
  /// New packs are written and synced before old ones are deleted, so a crash leaves duplicates, never gaps.
  public func gc(dryRun: Bool = false) throws -> GCReport {
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    try objects.reloadPacks()
    let reachable = try reachableObjects()
    let all = try objects.allObjects()
    var report = GCReport(dryRun: dryRun)
    report.reachableObjects = all.keys.filter { reachable.contains($0) }.count
    let unreachable = all.filter { !reachable.contains($0.key) }
    report.unreachableObjects = unreachable.count
    for (id, location) in unreachable.sorted(by: { $0.key < $1.key }) {
      report.bytesFreed += Self.size(of: location)
      report.removed.append(id.hex)
    }
    let temporaries = try temporaryFiles()
    report.temporaryFilesRemoved = temporaries.count
    // Every add writes a data pack and every commit a git pack; a lookup asks each in turn, so they are merged.
    let small = Self.packsToMerge(objects.packs.map { ($0.name, Self.dataBytes(of: $0)) })
    let mergeSmall = small.count >= 2
    if mergeSmall { report.smallPacksMerged = small.count }
    let versionPacks = try withGit { repo in try repo.packNames() }
    if versionPacks.count >= 2 { report.versionPacksMerged = versionPacks.count }
    if dryRun { return report }

    // Rewrite every pack that holds something unreachable, keeping what is reachable, and merge the small ones.
    var doomedPacks: [String] = []
    let writer = try PackWriter(directory: objects.packDirectory)
    for pack in objects.packs {
      let entries = pack.index.entries
      guard entries.contains(where: { !reachable.contains($0.id) }) || (mergeSmall && small.contains(pack.name)) else { continue }
      for e in entries where reachable.contains(e.id) { try writer.append(e.id, try objects.read(e.id)) }
      doomedPacks.append(pack.name)
    }
    // Synced before any old pack goes. A pack is named by its index, so the rewrite of a pack that held only
    // reachable objects, in id order, can come out as that very pack: it is then kept, not deleted.
    let written = Set(try writer.finish())
    for name in doomedPacks where !written.contains(name) {
      let base = objects.packDirectory + "/" + name
      if unlink(base + ".tpi") != 0 { throw StoreError.fromErrno(errno, "unlink", base + ".tpi") }
      unlink(base + ".tpk")
    }
    report.packsRewritten = doomedPacks.count
    for (_, location) in unreachable {
      if case .loose(let path) = location { unlink(path) }
    }
    for path in temporaries { unlink(path) }
    try objects.reloadPacks()
    if versionPacks.count >= 2 { try mergeVersionPacks(versionPacks) }
    return report
  }

  /// How many packs there are before commands advise `gc` (git's `gc.autoPackLimit`).
  public static let packMergeThreshold = 50

  /// Advice to run `gc` once adds and commits have left ``packMergeThreshold`` packs of one kind: every lookup asks
  /// the packs in turn. Nil while there are fewer. One folder listing: the data packs are already loaded.
  public var packMergeAdvice: String? {
    let data = objects.packs.count, versions = (try? withGit { repo in try repo.packNames().count }) ?? 0
    guard max(data, versions) >= Self.packMergeThreshold else { return nil }
    return "\(versions) pack(s) of versions and \(data) of data; 'tessera gc' merges them (lookups ask each in turn)"
  }

  /// Data packs below this size may be merged by `gc`; bigger ones (a large first add) are left as they are.
  static let smallPackBytes = Int64(PackWriter.rollOverBytes / 4)

  /// Which data packs `gc` merges, as git's `repack --geometric=2`: of the packs under ``smallPackBytes``, from the
  /// biggest down, each pack at least twice the size of all smaller ones together is left as it is; the rest are
  /// merged. So a gc after one small add rewrites that add's pack and its like, not the big merged pack before it,
  /// and the number of packs stays logarithmic in the data.
  static func packsToMerge(_ packs: [(name: String, bytes: Int64)]) -> Set<String> {
    let small = packs.filter { $0.bytes < smallPackBytes }.sorted { ($0.bytes, $0.name) > ($1.bytes, $1.name) }
    var smaller = small.reduce(Int64(0)) { $0 + $1.bytes }
    var kept = 0
    for pack in small {
      smaller -= pack.bytes
      guard pack.bytes >= 2 * smaller else { break }
      kept += 1
    }
    return Set(small.dropFirst(kept).map(\.name))
  }

  static func dataBytes(of pack: ObjectStore.Pack) -> Int64 {
    var st = stat()
    return fstat(pack.fd, &st) == 0 ? Int64(st.st_size) : 0
  }

  /// Writes what the references reach into one git pack (libgit2 fsyncs it), then removes the old packs, index
  /// first: a crash in between leaves objects twice, never missing; then the loose objects the pack holds (an
  /// annotated tag's). What no reference reaches is dropped, as `gc` drops unreachable data. A pack kept by a `.keep` file (git's convention) stays.
  private func mergeVersionPacks(_ old: [String]) throws {
    let written = try withGit { repo in try repo.writePackOfReachableObjects() }
    let folder = gitDirectory + "/objects/pack/"
    for name in old where name != written && !fileExists(folder + name + ".keep") {
      if unlink(folder + name + ".idx") != 0 { throw StoreError.fromErrno(errno, "unlink", folder + name + ".idx") }
      unlink(folder + name + ".rev")
      unlink(folder + name + ".pack")
    }
    try withGit { repo in try repo.removeLooseObjects(heldBy: written) }
  }

  /// Leftovers of interrupted writers: temporary packs and objects, orphaned pack data without an index, and the
  /// temporary git packs of a killed `commit`, `gc` or fetch (`tmp_tessera_*`, `pack_git2_*`, a `.pack` or `.idx`
  /// without the other; all hold the lock gc holds).
  func temporaryFiles() throws -> [String] {
    var out: [String] = []
    let packDir = objects.packDirectory
    let names = (try? listDirectory(packDir)) ?? []
    for name in names {
      if name.hasPrefix("tmp-") || name.contains(".tmp-") { out.append(packDir + "/" + name) }
      if name.hasSuffix(".tpk") && !names.contains(String(name.dropLast(4)) + ".tpi") { out.append(packDir + "/" + name) }
    }
    for name in (try? listDirectory(objects.root)) ?? [] where name.hasPrefix("tmp-") { out.append(objects.root + "/" + name) }
    for name in (try? listDirectory(meta)) ?? [] where name.contains(".tmp-") { out.append(meta + "/" + name) }
    let gitPacks = gitDirectory + "/objects/pack"
    // libgit2's pack writer (gc's merge, fetch) names its temporaries `pack_git2_*`; both run under the lock too.
    let gitNames = Set((try? listDirectory(gitPacks)) ?? [])
    for name in gitNames where name.hasPrefix("tmp_tessera_") || name.hasPrefix("pack_git2_") {
      out.append(gitPacks + "/" + name)
    }
    // Half of a pack: gc killed between removing an old pack's .idx and its .pack, or libgit2 killed between
    // linking a new pack's .idx and its .pack (git reads a pack only with both).
    for name in gitNames where name.hasPrefix("pack-") {
      for (mine, other) in [(".pack", ".idx"), (".idx", ".pack")] where name.hasSuffix(mine) {
        if !gitNames.contains(String(name.dropLast(mine.count)) + other) { out.append(gitPacks + "/" + name) }
      }
    }
    return out.sorted()
  }
}
