import CGit2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct VerifyReport: Sendable, Codable {
  public var objectsChecked = 0
  public var bytesChecked: Int64 = 0
  public var versionsChecked = 0
  public var pointersChecked = 0
  /// One line per problem; empty when the store is sound.
  public var problems: [String] = []
  /// Objects of old versions not fetched here that a remote is known to hold (as after a clone or partial
  /// fetch): not problems, but `tessera verify --remote` is what proves them.
  public var objectsOnRemoteOnly = 0
  public var isClean: Bool { problems.isEmpty }
}

extension Store {
  /// Re-hashes every object, and checks that every pointer reachable from every ref (and every staged file) has its object.
  ///
  /// `heldElsewhere` says whether a remote holds an object this store lacks; such objects of committed versions
  /// are counted, not reported.
  public func verify(progress: ProgressHandler? = nil, heldElsewhere: ((ObjectID) -> Bool)? = nil) throws -> VerifyReport {
    var report = VerifyReport()
    let store: ObjectStore, all: [(key: ObjectID, value: ObjectStore.Location)]
    do {
      store = try ObjectStore(root: objects.root)
      all = try store.allObjects().sorted { $0.key < $1.key }  // checks each pack index's checksum
    } catch {
      report.problems.append("\(error)")
      return report
    }
    // 1. Objects: each one's bytes must hash to its name.
    nonisolated(unsafe) let objectStore = store
    let checked = Counter()
    let results: [(bytes: Int64, problem: String?)] = try parallelMap(all.count) { i in
      let (id, location) = all[i]
      let n = checked.increment()
      if n % 5000 == 0 { progress?(n, all.count) }
      do {
        let data = try objectStore.read(id)
        let actual = ObjectID.hashing(data)
        let problem = actual == id ? nil
          : "object \(id.hex) is corrupt: its bytes hash to \(actual.hex) (\(Self.describe(location, store: objectStore)))"
        return (Int64(data.count), problem)
      } catch {
        return (0, "object \(id.hex): \(error)")
      }
    }
    report.objectsChecked = all.count
    report.bytesChecked = results.reduce(0) { $0 + $1.bytes }
    report.problems += results.compactMap(\.problem).sorted()
    let sizes = Dictionary(uniqueKeysWithValues: all.map { ($0.key, Self.size(of: $0.value)) })

    // 2. Versions: every pointer of every commit reachable from a ref must name a stored object of its size.
    withGit {
      var seenTrees = Set<GitOID>()
      // One version: a commit's tree, or a tree a ref names; `version` says which in its problems.
      func check(_ version: String, tree: () throws -> GitOID) {
        report.versionsChecked += 1
        do {
          try checkTree(try tree(), prefix: "", version: version, sizes: sizes, seen: &seenTrees, heldElsewhere: heldElsewhere,
                        report: &report)
        } catch {
          report.problems.append("\(version): \(error)")
        }
      }
      do {
        try repo.forEachReachableVersion(commit: { commit in
          check("version \(commit.hex.prefix(12))") { try repo.treeID(ofCommit: commit) }
        }, tree: { ref, tree in
          check("tree \(tree.hex.prefix(12)) of \(ref)") { tree }
        }, unreadable: { ref, error in
          report.problems.append("\(ref) names an object that cannot be read: \((error as? GitError)?.message ?? "\(error)")")
        })
      } catch let error as GitError {
        report.problems.append("history is unreadable: \(error.message)")
      } catch {
        report.problems.append("history is unreadable: \(error)")
      }
    }
    // 3. Staged files.
    do {
      for e in try StagingIndex.load(indexPath).allEntries() where sizes[e.file.object] == nil {
        if heldElsewhere?(e.file.object) == true {
          // A file a partial checkout left on the remote.
          report.objectsOnRemoteOnly += 1
        } else {
          report.problems.append("staged file \(e.file.path): object \(e.file.object.hex) is missing")
        }
      }
    } catch {
      report.problems.append("\(error)")
    }
    return report
  }

  private func checkTree(_ tree: GitOID, prefix: String, version: String, sizes: [ObjectID: Int64],
                         seen: inout Set<GitOID>, heldElsewhere: ((ObjectID) -> Bool)?, report: inout VerifyReport) throws {
    guard seen.insert(tree).inserted else { return }
    for entry in try repo.treeEntries(tree) {
      let path = prefix.isEmpty ? entry.name : prefix + "/" + entry.name
      if entry.isTree {
        try checkTree(entry.id, prefix: path, version: version, sizes: sizes, seen: &seen, heldElsewhere: heldElsewhere, report: &report)
        continue
      }
      report.pointersChecked += 1
      do {
        try Self.checkSafe(path)
        let file = try Pointer.parse(repo.blobBytes(entry.id), path: path)
        if let size = sizes[file.object] {
          if size != file.size {
            report.problems.append("\(version) \(path): pointer says \(file.size) bytes, object \(file.object.hex) has \(size)")
          }
        } else if heldElsewhere?(file.object) == true {
          report.objectsOnRemoteOnly += 1
        } else {
          report.problems.append("\(version) \(path): object \(file.object.hex) is missing")
        }
      } catch {
        report.problems.append("\(version) \(path): \(error)")
      }
    }
  }

  static func size(of location: ObjectStore.Location) -> Int64 {
    switch location {
    case .packed(_, _, let size): return Int64(size)
    case .loose(let path):
      var st = stat()
      return lstat(path, &st) == 0 ? Int64(st.st_size) : -1
    }
  }

  static func describe(_ location: ObjectStore.Location, store: ObjectStore) -> String {
    switch location {
    case .packed(let pack, _, _): return "in \(pack.name).tpk"
    case .loose(let path): return path
    }
  }
}
