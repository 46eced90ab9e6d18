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
  public var isClean: Bool { problems.isEmpty }
}

extension Store {
  /// Re-hashes every object, and checks that every pointer reachable from every ref (and every staged file) has its object.
  public func verify(progress: ProgressHandler? = nil) throws -> VerifyReport {
    var report = VerifyReport()
    let store: ObjectStore
    do {
      store = try ObjectStore(root: objects.root)
    } catch {
      report.problems.append("\(error)")
      return report
    }
    // 1. Objects: each one's bytes must hash to its name.
    let all = try store.allObjects().sorted { $0.key < $1.key }
    let bad = Counter(), next = Counter(), bytes = AtomicTotal()
    let problems = ProblemList()
    nonisolated(unsafe) let objectStore = store
    DispatchQueue.concurrentPerform(iterations: max(1, ProcessInfo.processInfo.activeProcessorCount)) { _ in
      while true {
        let i = next.increment()
        if i >= all.count { return }
        let (id, location) = all[i]
        do {
          let data = try objectStore.read(id)
          bytes.add(Int64(data.count))
          let actual = ObjectID.hashing(data)
          if actual != id {
            _ = bad.increment()
            problems.append("object \(id.hex) is corrupt: its bytes hash to \(actual.hex) (\(Self.describe(location, store: objectStore)))")
          }
        } catch {
          problems.append("object \(id.hex): \(error)")
        }
        if i % 5000 == 0 { progress?(i, all.count) }
      }
    }
    report.objectsChecked = all.count
    report.bytesChecked = bytes.value
    report.problems += problems.sorted()
    let sizes = Dictionary(uniqueKeysWithValues: all.map { ($0.key, Self.size(of: $0.value)) })

    // 2. Versions: every pointer of every commit reachable from a ref must name a stored object of its size.
    try withGit {
      var seenTrees = Set<GitOID>()
      var walker: OpaquePointer?
      try git("git_revwalk_new") { git_revwalk_new(&walker, repo.handle) }
      defer { git_revwalk_free(walker) }
      var pushed = false
      for ref in try repo.references() {
        var oid = ref.target.raw
        if git_revwalk_push(walker, &oid) == 0 { pushed = true }
      }
      if let head = try? repo.headCommit() {
        var oid = head.raw
        if git_revwalk_push(walker, &oid) == 0 { pushed = true }
      }
      guard pushed else { return }
      var next = git_oid()
      while true {
        let status = git_revwalk_next(&next, walker)
        if status == GIT_ITEROVER.rawValue { break }
        if status < 0 {
          let message = git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown error"
          report.problems.append("history is unreadable: \(message)")
          break
        }
        report.versionsChecked += 1
        let commit = GitOID(next)
        do {
          let tree = try repo.withCommit(commit) { GitOID(git_commit_tree_id($0).pointee) }
          try checkTree(tree, prefix: "", commit: commit, sizes: sizes, seen: &seenTrees, report: &report)
        } catch {
          report.problems.append("version \(commit.hex.prefix(12)): \(error)")
        }
      }
    }
    // 3. Staged files.
    do {
      for e in try StagingIndex.load(indexPath).entries.values where sizes[e.file.object] == nil {
        report.problems.append("staged file \(e.file.path): object \(e.file.object.hex) is missing")
      }
    } catch {
      report.problems.append("\(error)")
    }
    return report
  }

  private func checkTree(_ tree: GitOID, prefix: String, commit: GitOID, sizes: [ObjectID: Int64],
                         seen: inout Set<GitOID>, report: inout VerifyReport) throws {
    guard seen.insert(tree).inserted else { return }
    var children: [(String, GitOID, Bool)] = []
    try repo.withTree(tree) { handle in
      for i in 0..<git_tree_entrycount(handle) {
        let entry = git_tree_entry_byindex(handle, i)
        children.append((String(cString: git_tree_entry_name(entry)), GitOID(git_tree_entry_id(entry).pointee),
                         git_tree_entry_type(entry) == GIT_OBJECT_TREE))
      }
    }
    for (name, id, isTree) in children {
      let path = prefix.isEmpty ? name : prefix + "/" + name
      if isTree {
        try checkTree(id, prefix: path, commit: commit, sizes: sizes, seen: &seen, report: &report)
        continue
      }
      report.pointersChecked += 1
      do {
        try Self.checkSafe(path)
        let file = try Pointer.parse(repo.blobBytes(id), path: path)
        if let size = sizes[file.object] {
          if size != file.size {
            report.problems.append("version \(commit.hex.prefix(12)) \(path): pointer says \(file.size) bytes, object \(file.object.hex) has \(size)")
          }
        } else {
          report.problems.append("version \(commit.hex.prefix(12)) \(path): object \(file.object.hex) is missing")
        }
      } catch {
        report.problems.append("version \(commit.hex.prefix(12)) \(path): \(error)")
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

final class AtomicTotal: @unchecked Sendable {
  private var total: Int64 = 0
  private let lock = NSLock()
  func add(_ n: Int64) { lock.lock(); total += n; lock.unlock() }
  var value: Int64 { lock.lock(); defer { lock.unlock() }; return total }
}

final class ProblemList: @unchecked Sendable {
  private var items: [String] = []
  private let lock = NSLock()
  func append(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
  func sorted() -> [String] { lock.lock(); defer { lock.unlock() }; return items.sorted() }
}
