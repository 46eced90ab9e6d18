import ArgumentParser
import Foundation
import TesseraRemote
import TesseraStore

struct RemoteCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remote",
    abstract: "Manage the remotes a dataset is pushed to and fetched from.",
    discussion: """
      Objects go to S3 (s3://bucket/prefix; endpoint, region and credentials from AWS_ENDPOINT_URL, AWS_REGION, \
      AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or ~/.aws) or to a folder; versions go to a git remote.
      Examples:
        tessera remote add origin s3://datasets/fashion --git /srv/git/fashion.git
        tessera remote add backup /mnt/nas/fashion
        tessera remote list
      """,
    subcommands: [Add.self, Remove.self, List.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", 
      abstract: "Add a remote.",
      discussion: "Example:\n  tessera remote add origin s3://datasets/fashion --git /srv/git/fashion.git")
    @Argument(help: "The remote's name.") var name: String
    @Argument(help: "s3://bucket/prefix, or a folder path.") var url: String
    @Option(help: "The git remote for versions (a path, file://, or any URL libgit2 supports). A folder remote defaults to its own git/ folder; an S3 remote reads it from the remote's descriptor once something was pushed.")
    var git: String?

    func run() throws {
      let store = try Store.open()
      var list = try RemoteList.load(store)
      try list.add(RemoteConfiguration(name: name, url: url, git: git))
      try list.save(store)
      print("Added remote \(name): \(url)" + (git.map { " (versions: \($0))" } ?? ""))
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Forget a remote (nothing on the remote is touched).",
                                                    discussion: "Example:\n  tessera remote remove backup")
    @Argument(help: "The remote's name.") var name: String

    func run() throws {
      let store = try Store.open()
      var list = try RemoteList.load(store)
      try list.remove(name)
      try list.save(store)
      print("Removed remote \(name)")
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the remotes.", discussion: "Example:\n  tessera remote list --json")
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
      let list = try RemoteList.load(try Store.open())
      if json { return try printJSON(list.remotes) }
      for r in list.remotes { print("\(r.name)\t\(r.url)" + (r.git.map { "\tgit \($0)" } ?? "")) }
    }
  }
}

/// The remote argument most commands take: named, or the only one there is, or `origin`.
func openRemote(_ store: Store, _ name: String?) throws -> Remote {
  if let name { return try Remote(store: store, name: name) }
  let list = try RemoteList.load(store)
  if list.remotes.count == 1 { return try Remote(store: store, configuration: list.remotes[0]) }
  return try Remote(store: store, configuration: list.named("origin"))
}

/// A byte-counting progress line.
func transferProgress(_ line: ProgressLine) -> TransferProgress {
  { done, total in line.update(Int(done >> 10), Int(total >> 10)) }
}

struct Push: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "push", 
    abstract: "Send versions and the objects they need to a remote.",
    discussion: """
      Only objects the remote lacks are sent, small ones packed together, in parallel. An interrupted push resumes \
      where it stopped. The remote's branches and tags move only after all their objects are there.
      Examples:
        tessera push
        tessera push origin v1
        tessera push origin --all
      """)
  @Argument(help: "The remote (default: the only one, or origin).") var remote: String?
  @Argument(help: "Branches or tags to push (default: the current branch).") var references: [String] = []
  @Flag(help: "Push every branch and tag.") var all = false
  @Flag(help: "Move the remote's branches even when that drops versions it has.") var force = false
  @Option(help: "Transfers at once.") var jobs = 16
  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    let store = try Store.open()
    let target = try openRemote(store, remote)
    target.parallelism = max(1, jobs)
    let line = ProgressLine("push (KiB)")
    let r = try target.push(references, all: all, force: force, progress: transferProgress(line))
    line.finish()
    if json { return try printJSON(r) }
    print("Pushed \(r.references.map(shortName).joined(separator: ", ")) to \(target.name): \(r.objectsSent) object(s), "
          + "\(ByteFormat.string(r.bytesSent)) in \(r.packsSent) pack(s); \(r.objectsAlreadyThere) of \(r.objectsNeeded) already there"
          + (r.partsResumed > 0 ? "; \(r.partsResumed) part(s) of an interrupted upload reused" : ""))
  }
}

func shortName(_ ref: String) -> String {
  for prefix in ["refs/heads/", "refs/tags/"] where ref.hasPrefix(prefix) { return String(ref.dropFirst(prefix.count)) }
  return ref
}

/// Options that select part of a version.
struct SelectionOptions: ParsableArguments {
  @Option(name: .customLong("path"), help: "Only files under this path (repeatable).") var paths: [String] = []
  @Option(name: .customLong("split"), help: "Only this split, e.g. test (repeatable).") var splits: [String] = []
  @Option(name: .customLong("class"), help: "Only this class (repeatable).") var classes: [String] = []

  var filter: VersionFilter { VersionFilter(paths: paths, splits: splits, classes: classes) }
}

struct Fetch: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "fetch", 
    abstract: "Get a remote's versions, and the objects of some or all of their files.",
    discussion: """
      Versions arrive as remote branches (origin/main); objects are re-hashed on arrival and refused on a mismatch.
      Examples:
        tessera fetch
        tessera fetch origin main --split test
        tessera fetch origin v1 --class Shirt --class Coat
      """)
  @Argument(help: "The remote (default: the only one, or origin).") var remote: String?
  @Argument(help: "Versions whose objects to get (default: every remote branch's latest).") var revisions: [String] = []
  @OptionGroup var selection: SelectionOptions
  @Option(help: "Transfers at once.") var jobs = 16
  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    let store = try Store.open()
    let source = try openRemote(store, remote)
    source.parallelism = max(1, jobs)
    let line = ProgressLine("fetch (KiB)")
    let r = try source.fetch(revisions, filter: selection.filter, progress: transferProgress(line))
    line.finish()
    if json { return try printJSON(r) }
    for (branch, commit) in r.branches.sorted(by: { $0.key < $1.key }) { print("\(source.name)/\(branch)\t\(commit.prefix(12))") }
    print("Fetched \(r.objectsFetched) object(s), \(ByteFormat.string(r.bytesFetched)) in \(r.requests) request(s); "
          + "\(r.objectsAlreadyHere) of \(r.filesSelected) selected file(s) were already here")
  }
}

struct Pull: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "pull", 
    abstract: "Fetch the current branch from a remote and fast-forward the branch and the files to it.",
    discussion: """
      Changed files are never overwritten without --force; branches that diverged are refused (no merges).
      Examples:
        tessera pull
        tessera pull origin --split train
      """)
  @Argument(help: "The remote (default: the only one, or origin).") var remote: String?
  @OptionGroup var selection: SelectionOptions
  @Option(help: "auto, reflink, hardlink or copy.") var link: LinkMode = .auto
  @Flag(help: "Overwrite changed files.") var force = false
  @Option(help: "Transfers at once.") var jobs = 16
  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    let store = try Store.open()
    let source = try openRemote(store, remote)
    source.parallelism = max(1, jobs)
    let line = ProgressLine("fetch (KiB)")
    let checkoutLine = ProgressLine("checkout")
    let r = try source.pull(filter: selection.filter, link: link, force: force, progress: transferProgress(line),
                            checkoutProgress: { checkoutLine.update($0, $1) })
    line.finish()
    checkoutLine.finish()
    if json { return try printJSON(r) }
    guard let c = r.checkout else { return print("Already up to date with \(source.name)/\(r.branch ?? "")") }
    print("Fast-forwarded \(r.branch ?? "") to \(r.commit?.prefix(12) ?? ""): fetched \(r.fetch.objectsFetched) object(s) "
          + "(\(ByteFormat.string(r.fetch.bytesFetched))); \(c.written) file(s) written, \(c.removed) removed")
  }
}

struct Clone: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "clone", 
    abstract: "Make a new dataset folder from a remote.",
    discussion: """
      The new store calls the remote origin. With --split, --class or --path only those files are fetched and \
      checked out; the rest of the version stays on the remote (status shows those files as deleted).
      Examples:
        tessera clone s3://datasets/fashion fashion
        tessera clone /mnt/nas/fashion fashion-test --split test
      """)
  @Argument(help: "s3://bucket/prefix, or a folder path.") var url: String
  @Argument(help: "The new folder (absent or empty).") var directory: String
  @Option(help: "The git remote for versions, when the remote's descriptor does not name it.") var git: String?
  @Option(help: "Branch or tag to check out (default: the remote's HEAD, else main).") var branch: String?
  @OptionGroup var selection: SelectionOptions
  @Option(help: "auto, reflink, hardlink or copy.") var link: LinkMode = .auto
  @Option(help: "Transfers at once.") var jobs = 16
  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    let line = ProgressLine("fetch (KiB)")
    let checkoutLine = ProgressLine("checkout")
    let r: CloneReport
    do {
      r = try Remote.clone(url: url, git: git, into: directory, branch: branch, filter: selection.filter, link: link,
                           parallelism: jobs, progress: transferProgress(line), checkoutProgress: { checkoutLine.update($0, $1) })
    } catch {
      line.finish()
      if FileManager.default.fileExists(atPath: directory + "/.tessera") {
        throw RemoteError("\(error) — the unfinished clone is in \(directory); run 'tessera pull' there to complete it")
      }
      throw error
    }
    line.finish()
    checkoutLine.finish()
    if json { return try printJSON(r) }
    guard let c = r.checkout else { return print("Cloned an empty remote into \(r.directory)") }
    print("Cloned \(url) into \(r.directory): \(r.branch ?? r.commit?.prefix(12).description ?? "") with \(c.written) file(s) "
          + "(\(ByteFormat.string(r.fetch.bytesFetched)) fetched in \(r.fetch.requests) request(s))"
          + (c.skipped > 0 ? "; \(c.skipped) file(s) left on the remote" : ""))
  }
}
