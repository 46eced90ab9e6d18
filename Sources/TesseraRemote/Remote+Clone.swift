import Foundation
import TesseraStore

/// What a clone or pull did.
public struct CloneReport: Codable, Sendable {
  public var directory: String
  public var branch: String?
  public var commit: String?
  public var fetch: FetchReport
  public var checkout: CheckoutReport?
}

extension Remote {
  /// Makes a new store in `directory` (absent or empty) from a remote, as remote `origin`, and checks out its
  /// default branch (the git remote's HEAD, else `main`) or `branch` — all of it, or what `filter` selects.
  /// An interrupted clone leaves a store in `directory` that `tessera pull` completes.
  public static func clone(url: String, git: String? = nil, into directory: String, branch: String? = nil,
                           filter: VersionFilter = VersionFilter(), link: LinkMode = .auto, parallelism: Int = 16,
                           progress: TransferProgress? = nil, checkoutProgress: ProgressHandler? = nil) throws -> CloneReport {
    let fm = FileManager.default
    let location = try RemoteLocation(url)
    if git == nil, try location.backend().get(descriptorKey) == nil {
      throw RemoteError("\(url) holds no Tessera versions: nothing has been pushed there yet (or its push has not finished)")
    }
    var isFolder: ObjCBool = false
    if fm.fileExists(atPath: directory, isDirectory: &isFolder) {
      guard isFolder.boolValue, (try fm.contentsOfDirectory(atPath: directory)).isEmpty else {
        throw RemoteError("\(directory): already exists and is not an empty folder; clone into a new folder")
      }
    } else {
      try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    let store = try Store.initialize(at: directory)
    var list = RemoteList()
    try list.add(RemoteConfiguration(name: "origin", url: url, git: git.map(absoluteGit)))
    try list.save(store)
    let remote = try Remote(store: store, name: "origin")
    remote.parallelism = max(1, parallelism)
    let advertised = try store.remoteReferences(gitURL: remote.gitURL())
    let chosen: String?
    if let branch {
      chosen = branch
    } else if let head = advertised.first(where: { $0.name == "HEAD" })?.symbolicTarget, head.hasPrefix("refs/heads/"),
              advertised.contains(where: { $0.name == head }) {
      chosen = String(head.dropFirst("refs/heads/".count))
    } else if advertised.contains(where: { $0.name == "refs/heads/main" }) {
      chosen = "main"
    } else {
      chosen = advertised.first { $0.name.hasPrefix("refs/heads/") }.map { String($0.name.dropFirst("refs/heads/".count)) }
    }
    guard let chosen else {
      let fetched = try remote.fetch(filter: filter, progress: progress)
      return CloneReport(directory: store.root, branch: nil, commit: nil, fetch: fetched, checkout: nil)
    }
    let fetched = try remote.fetch([chosen], filter: filter, progress: progress)
    guard let commit = fetched.branches[chosen] ?? store.commitIfExists(chosen) else {
      throw RemoteError("remote has no branch or tag '\(chosen)'")
    }
    let isBranch = fetched.branches[chosen] != nil
    if isBranch {
      try store.setBranch(chosen, to: commit)
      try store.setHead(branch: chosen)
    }
    let checkout = try store.checkout(isBranch ? chosen : commit, only: filter.isEverything ? nil : filter, link: link,
                                      progress: checkoutProgress)
    return CloneReport(directory: store.root, branch: isBranch ? chosen : nil, commit: commit, fetch: fetched, checkout: checkout)
  }

  /// Fetches the current branch's counterpart on this remote and fast-forwards the branch and the files to it.
  /// Refuses when the two have diverged (Tessera does not merge versions) or when files would be overwritten.
  public func pull(filter: VersionFilter = VersionFilter(), link: LinkMode = .auto, force: Bool = false,
                   progress: TransferProgress? = nil, checkoutProgress: ProgressHandler? = nil) throws -> CloneReport {
    guard let branch = try store.currentBranch() else {
      throw RemoteError("HEAD is detached: check out a branch before pulling")
    }
    // A partial checkout stays partial unless the pull selects otherwise.
    let filter = filter.isEverything ? (try store.sparseFilter() ?? filter) : filter
    let fetched = try fetch([branch], filter: filter, progress: progress)
    guard let theirs = fetched.branches[branch] else {
      throw RemoteError("remote '\(name)' has no branch '\(branch)'")
    }
    var report = CloneReport(directory: store.root, branch: branch, commit: theirs, fetch: fetched, checkout: nil)
    if let ours = store.commitIfExists("refs/heads/\(branch)") {
      if try store.isAncestor(theirs, of: ours) { return report }
      guard try store.isAncestor(ours, of: theirs) else {
        throw RemoteError("branch '\(branch)' and \(name)/\(branch) have diverged; Tessera does not merge versions — push to a new branch, or 'tessera checkout \(name)/\(branch)'")
      }
    }
    report.checkout = try store.fastForward(branch: branch, to: theirs, only: filter.isEverything ? nil : filter, link: link,
                                            force: force, progress: checkoutProgress)
    return report
  }
}
