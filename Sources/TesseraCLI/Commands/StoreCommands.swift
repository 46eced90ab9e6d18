import ArgumentParser
import Foundation
import TesseraRemote
import TesseraStore

struct Init: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "init", 
    abstract: "Create a Tessera store (.tessera/) in a folder of files.",
    discussion: "Example:\n  cd fashion-mnist && tessera init")

  @Argument(help: "The dataset folder (default: the current folder).")
  var directory: String = "."

  func run() throws {
    let store = try Store.initialize(at: directory)
    print("Initialised an empty Tessera store in \(store.root)/.tessera")
  }
}

struct Add: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "add", 
    abstract: "Stage files for the next version: hash what changed and store each distinct content once.",
    discussion: """
      Folders are added recursively; files that were tracked below a given path and are gone are staged as deleted. \
      Labels come from the folder layout (split/class/file) or from labels.csv at the root.
      Example:
        tessera add train test
      """)

  @Argument(help: "Files or folders to add (default: the whole dataset).")
  var paths: [String] = []

  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    let store = try Store.open(openingVersionsEarly: false)  // staging never reads a version
    restartMonitorIfEnabled(store)
    let relative = try paths.map { try store.relativePath($0) }
    let progress = ProgressLine("hashing")
    let report = try store.add(relative, progress: { progress.update($0, $1) })
    progress.finish()
    if json { return try printJSON(report) }
    for link in report.skippedLinks { FileHandle.standardError.write(Data("warning: skipped symbolic link \(link)\n".utf8)) }
    print("\(report.added) added, \(report.modified) modified, \(report.removed) removed, \(report.unchanged) unchanged; "
          + "\(report.newObjects) new objects, \(ByteFormat.string(report.hashedBytes)) hashed")
  }
}

struct Commit: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "commit", 
    abstract: "Record the staged files as a new version (a git commit in .tessera/git).",
    discussion: """
      With --all, every change in the folder is staged first, as 'tessera add' with no paths would: new files \
      too, unlike git commit -a. One command, one lock and one read of the index instead of two.
      Examples:
        tessera commit -m "Fashion-MNIST as published"
        tessera commit --all -m "Relabelled 600 shirts"
      """)

  @Option(name: .shortAndLong, help: "The version's message.") var message: String
  @Flag(name: .shortAndLong, help: "Stage every change in the folder (new, modified and deleted files) first.")
  var all = false
  @Flag(help: "Print the new version as JSON.") var json = false

  func run() throws {
    let store = try Store.open()
    restartMonitorIfEnabled(store)
    let version: VersionInfo
    if all {
      let progress = ProgressLine("hashing")
      let result = Result { try store.commitEverything(message: message, progress: { progress.update($0, $1) }) }
      progress.finish()  // before any error, which would otherwise share the progress line
      let (staged, committed) = try result.get()
      if !json {
        for link in staged.skippedLinks { FileHandle.standardError.write(Data("warning: skipped symbolic link \(link)\n".utf8)) }
      }
      version = committed
    } else {
      version = try store.commit(message: message)
    }
    if let advice = store.packMergeAdvice { FileHandle.standardError.write(Data("hint: \(advice)\n".utf8)) }
    if json { return try printJSON(version) }
    let branch = (try? store.currentBranch()).flatMap { $0 } ?? "detached HEAD"
    print("[\(branch) \(version.id.prefix(12))] \(version.summary)")
  }
}

struct Status: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "status", 
    abstract: "Show staged changes, changes not yet staged, and untracked files.",
    discussion: "Unchanged files are recognised by their stat (size, times, inode) without reading them.\nExample:\n  tessera status --json")

  @Flag(help: "Print the status as JSON.") var json = false

  func run() throws {
    // A no-op status reads HEAD from files and needs no libgit2; any other opens it in the background then.
    let store = try Store.open(openingVersionsEarly: false)
    restartMonitorIfEnabled(store)
    let s = try store.status()
    if json { return try printJSON(s) }
    print("On \(s.branch.map { "branch \($0)" } ?? "detached HEAD \(s.head?.prefix(12) ?? "")")")
    if s.head == nil { print("No versions yet") }
    if s.notCheckedOut > 0 {
      print("Partial checkout: \(s.notCheckedOut) file(s) of the version are not in the folder ('tessera checkout \(s.branch ?? "HEAD")' gets them all)")
    }
    if s.isClean { return print("Nothing to commit; the folder matches the staged files") }
    printChanges("Changes staged for the next version", s.staged)
    printChanges("Changes not staged (use 'tessera add')", s.unstaged)
    if !s.untracked.isEmpty { printList("Untracked files", s.untracked, marker: "new") }
  }
}

func printChanges(_ title: String, _ c: PathChanges) {
  guard !c.isEmpty else { return }
  print("\(title): \(c.count)")
  for (marker, list) in [("added", c.added), ("modified", c.modified), ("deleted", c.removed), ("relabelled", c.relabelled)] {
    for p in list.prefix(20) { print("  \(marker): \(p)") }
    if list.count > 20 { print("  ... and \(list.count - 20) more \(marker)") }
  }
}

func printList(_ title: String, _ list: [String], marker: String) {
  print("\(title): \(list.count)")
  for p in list.prefix(20) { print("  \(marker): \(p)") }
  if list.count > 20 { print("  ... and \(list.count - 20) more") }
}

struct Log: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "log", 
    abstract: "List versions, newest first.",
    discussion: "Example:\n  tessera log -n 5")

  @Argument(help: "Where to start (default: HEAD).") var revision = "HEAD"
  @Option(name: .shortAndLong, help: "At most this many versions.") var number: Int?
  @Flag(help: "Print the versions as JSON.") var json = false

  func run() throws {
    let versions = try Store.open().log(from: revision, limit: number)
    if json { return try printJSON(versions) }
    if versions.isEmpty { return print("No versions yet") }
    for v in versions {
      print("version \(v.id)")
      print("Author: \(v.author)")
      print("Date:   \(v.date.formatted(.iso8601))")
      print("")
      for line in v.message.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false) {
        print("    \(line)")
      }
      print("")
    }
  }
}

struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "show", 
    abstract: "Describe one version: message, size, and files per split and class.",
    discussion: "Example:\n  tessera show v1 --json")

  @Argument(help: "A version: commit id, tag, branch or HEAD~N.") var revision = "HEAD"
  @Flag(help: "Print as JSON.") var json = false

  func run() throws {
    let d = try Store.open().show(revision)
    if json { return try printJSON(d) }
    print("version \(d.version.id)\(d.refs.isEmpty ? "" : " (\(d.refs.joined(separator: ", ")))")")
    print("Author: \(d.version.author)")
    print("Date:   \(d.version.date.formatted(.iso8601))")
    print("")
    for line in d.version.message.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false) {
      print("    \(line)")
    }
    print("")
    print("\(d.files) files (\(d.images) images), \(ByteFormat.string(d.bytes))")
    for c in d.classes { print("  \(c.split)/\(c.label): \(c.files)") }
  }
}

struct Diff: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "diff", 
    abstract: "Compare versions: files added, removed, modified and relabelled, with counts per split and class.",
    discussion: """
      With no revision, compares HEAD with the folder; with one, that version with the folder; with two, the two versions.
      Example:
        tessera diff v1 v2 --json
      """)

  @Argument(help: "Zero, one or two versions.") var revisions: [String] = []
  @Flag(help: "Print as JSON.") var json = false
  @Flag(help: "List every changed file, not only the first 20 of each kind.") var all = false

  func validate() throws {
    if revisions.count > 2 { throw ValidationError("diff takes at most two versions") }
  }

  func run() throws {
    let store = try Store.open()
    let from: DatasetState = .revision(revisions.first ?? "HEAD")
    let to: DatasetState = revisions.count == 2 ? .revision(revisions[1]) : .workingFolder
    let d = try store.diff(from: from, to: to)
    if json { return try printJSON(d) }
    print("diff \(d.from) → \(d.to): \(d.added.count) added, \(d.removed.count) removed, \(d.modified.count) modified, "
          + "\(d.relabelled.count) relabelled, \(d.moved.count) moved")
    let limit = all ? Int.max : 20
    func show(_ marker: String, _ list: [DatasetDiff.FileChange], _ line: (DatasetDiff.FileChange) -> String) {
      for c in list.prefix(limit) { print("  \(marker) \(line(c))") }
      if list.count > limit { print("  ... and \(list.count - limit) more") }
    }
    show("+", d.added) { $0.path }
    show("-", d.removed) { $0.path }
    show("M", d.modified) { $0.path }
    show("L", d.relabelled) { "\($0.from.map { "\($0) → " } ?? "")\($0.path): \($0.oldLabel ?? "-") → \($0.newLabel ?? "-")" }
    show("R", d.moved) { "\($0.from ?? "") → \($0.path)" }
    if !d.classCounts.isEmpty {
      print("Counts per split and class:")
      for c in d.classCounts {
        let delta = c.after - c.before
        print("  \(c.split)/\(c.label): \(c.before) → \(c.after) (\(delta >= 0 ? "+" : "")\(delta))")
      }
    }
  }
}

struct Tag: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "tag", 
    abstract: "List, create or delete tags naming versions.",
    discussion: "Examples:\n  tessera tag v1\n  tessera tag v2 HEAD~1 -m \"cleaned labels\"\n  tessera tag -d v1\n  tessera tag")

  @Argument(help: "Tag name (omit to list tags).") var name: String?
  @Argument(help: "Version to tag (default: HEAD).") var revision = "HEAD"
  @Option(name: .shortAndLong, help: "Make an annotated tag with this message.") var message: String?
  @Flag(name: .shortAndLong, help: "Delete the tag.") var delete = false

  func run() throws {
    let store = try Store.open()
    guard let name else {
      for t in try store.tags() { print("\(t.name)\t\(t.commit.prefix(12))") }
      return
    }
    if delete {
      try store.deleteTag(name)
      print("Deleted tag \(name)")
    } else {
      try store.createTag(name, at: revision, message: message)
      print("Tagged \(try store.resolve(name).prefix(12)) as \(name)")
    }
  }
}

struct Branch: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "branch", 
    abstract: "List, create or delete branches.",
    discussion: "Examples:\n  tessera branch relabel\n  tessera branch -d relabel\n  tessera branch")

  @Argument(help: "Branch name (omit to list).") var name: String?
  @Argument(help: "Where it starts (default: HEAD).") var revision = "HEAD"
  @Flag(name: .shortAndLong, help: "Delete the branch.") var delete = false

  func run() throws {
    let store = try Store.open()
    guard let name else {
      let current = try store.currentBranch()
      for b in try store.branches() { print("\(b.name == current ? "*" : " ") \(b.name)\t\(b.commit.prefix(12))") }
      return
    }
    if delete {
      try store.deleteBranch(name)
      print("Deleted branch \(name)")
    } else {
      try store.createBranch(name, at: revision)
      print("Created branch \(name) at \(try store.resolve(name).prefix(12))")
    }
  }
}

extension LinkMode: ExpressibleByArgument {}

struct Checkout: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "checkout", 
    abstract: "Make the folder match a version, or restore some paths from it.",
    discussion: """
      Files changed since they were staged are never overwritten or deleted without --force. \
      Files are reflinked where the filesystem can, else copied; --link hardlink saves space with read-only files.
      Examples:
        tessera checkout v1
        tessera checkout main -- train/Coat
        tessera checkout main --split test --class Shirt
      """)

  @Argument(help: "A version: branch, tag, commit id or HEAD~N.") var revision: String
  @Argument(help: "Only these files or folders (HEAD does not move).") var paths: [String] = []
  @Option(name: .customLong("split"), help: "Only files of this split (repeatable; HEAD does not move).") var splits: [String] = []
  @Option(name: .customLong("class"), help: "Only files of this class (repeatable; HEAD does not move).") var classes: [String] = []
  @Option(help: "auto, reflink, hardlink or copy.") var link: LinkMode = .auto
  @Flag(help: "Overwrite and delete changed files.") var force = false
  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    let store = try Store.open()
    let relative = try paths.map { try store.relativePath($0) }
    let progress = ProgressLine("checkout")
    let filter = VersionFilter(splits: splits, classes: classes)
    // A filtered checkout restores files like a checkout of paths: HEAD stays where it is.
    let paths = !filter.isEverything && relative.isEmpty ? [""] : relative
    let r = try store.checkout(revision, paths: paths, only: filter.isEverything ? nil : filter, link: link, force: force,
                               progress: { progress.update($0, $1) })
    progress.finish()
    if json { return try printJSON(r) }
    print("Checked out \(revision) (\(r.commit.prefix(12))): \(r.written) written (\(r.reflinked) reflinked, "
          + "\(r.hardlinked) hardlinked, \(r.copied) copied), \(r.removed) removed, \(r.unchanged) unchanged")
  }
}

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "verify", 
    abstract: "Re-hash every object and check every version's pointers; exits non-zero listing problems.",
    discussion: """
      With --remote, checks instead that the remote holds every object of every version its branches and tags \
      reach (--deep also downloads and re-hashes every object there).
      Examples:
        tessera verify
        tessera verify --remote origin --deep
      """)

  @Option(help: "Verify this remote instead of the local store.") var remote: String?
  @Flag(help: "With --remote: download and re-hash every object.") var deep = false
  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    if let remote { return try verifyRemote(remote) }
    let progress = ProgressLine("verifying")
    let store = try Store.open()
    let r = try store.verify(progress: { progress.update($0, $1) }, heldElsewhere: RemoteList.knownHolder(store))
    progress.finish()
    if json { try printJSON(r) } else {
      for p in r.problems { print("problem: \(p)") }
      print("\(r.objectsChecked) objects (\(ByteFormat.string(r.bytesChecked))) re-hashed, \(r.versionsChecked) versions, "
            + "\(r.pointersChecked) pointers checked"
            + (r.objectsOnRemoteOnly > 0 ? " (\(r.objectsOnRemoteOnly) left on a remote, not fetched)" : "")
            + ": \(r.isClean ? "ok" : "\(r.problems.count) problem(s)")")
    }
    if !r.isClean { throw ExitCode(1) }
  }
}

extension Verify {
  func verifyRemote(_ name: String) throws {
    let target = try Remote(store: try Store.open(), name: name)
    let line = ProgressLine("re-hashing (KiB)")
    let r = try target.verify(deep: deep, progress: transferProgress(line))
    line.finish()
    if json { try printJSON(r) } else {
      for p in r.problems { print("problem: \(p)") }
      print("remote \(name): \(r.references.count) reference(s), \(r.objectsNeeded) object(s) needed, \(r.objectsOnRemote) held in "
            + "\(r.packs) pack(s) and loose" + (deep ? ", \(ByteFormat.string(r.bytesRehashed)) re-hashed" : "")
            + ": \(r.isClean ? "ok" : "\(r.problems.count) problem(s)")")
    }
    if !r.isClean { throw ExitCode(1) }
  }
}

struct GC: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc",
    abstract: "Remove objects that no version and no staged file reaches, and merge small packs.",
    discussion: """
      Every add writes a data pack and every commit a pack of version metadata; gc merges small data packs \
      (under 256 MiB, geometrically: a pack twice the size of all smaller ones together stays) and the version \
      packs into one, so lookups ask few packs.

      Example:
        tessera gc --dry-run
      """)

  @Flag(help: "Only report what would be removed.") var dryRun = false
  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    let r = try Store.open().gc(dryRun: dryRun)
    if json { return try printJSON(r) }
    let verb = dryRun ? "would remove" : "removed"
    print("gc \(verb) \(r.unreachableObjects) unreachable object(s), \(ByteFormat.string(r.bytesFreed)); "
          + "\(r.reachableObjects) kept; \(r.temporaryFilesRemoved) temporary file(s); \(r.packsRewritten) pack(s) rewritten "
          + "(\(r.smallPacksMerged) small data pack(s) merged); \(r.versionPacksMerged) version pack(s) merged")
  }
}
