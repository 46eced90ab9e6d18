import CGit2
import Foundation

/// A version with its contents summarised, for `tessera show`.
public struct VersionDetails: Sendable, Codable {
  public struct ClassCount: Sendable, Codable, Hashable {
    public var split: String
    public var label: String
    public var files: Int
  }

  public var version: VersionInfo
  public var files: Int
  public var bytes: Int64
  public var images: Int
  public var classes: [ClassCount]
  public var refs: [String]
}

extension Store {
  /// Versions reachable from `revision`, newest first.
  public func log(from revision: String = "HEAD", limit: Int? = nil) throws -> [VersionInfo] {
    try withGit { repo in
      if revision == "HEAD", try repo.headCommit() == nil { return [] }
      let start = try repo.resolveCommit(revision)
      var walker: OpaquePointer?
      try git("git_revwalk_new") { git_revwalk_new(&walker, repo.handle) }
      defer { git_revwalk_free(walker) }
      git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
      var oid = start.raw
      try git("git_revwalk_push") { git_revwalk_push(walker, &oid) }
      var out: [VersionInfo] = []
      var next = git_oid()
      while git_revwalk_next(&next, walker) == 0 {
        out.append(try versionInfo(GitOID(next), repo: repo))
        if let limit, out.count >= limit { break }
      }
      return out
    }
  }

  public func show(_ revision: String) throws -> VersionDetails {
    let info = try withGit { repo in try versionInfo(try repo.resolveCommit(revision), repo: repo) }
    let files = try entries(revision: info.id)
    var counts: [String: DatasetDiffKey] = [:]
    for f in files {
      let key = "\(f.split ?? "-")\u{0}\(f.label ?? "-")"
      counts[key, default: DatasetDiffKey(split: f.split ?? "-", label: f.label ?? "-", files: 0)].files += 1
    }
    let refs = try withGit { repo in try repo.references().filter { $0.target.hex == info.id }.map(\.name) }
    return VersionDetails(
      version: info, files: files.count, bytes: files.reduce(0) { $0 + $1.size },
      images: files.filter { $0.image != nil }.count,
      classes: counts.values.map { .init(split: $0.split, label: $0.label, files: $0.files) }.sorted { ($0.split, $0.label) < ($1.split, $1.label) },
      refs: refs.sorted())
  }

  struct DatasetDiffKey { var split: String, label: String, files: Int }

  /// Tags (name → commit id).
  public func tags() throws -> [(name: String, commit: String)] {
    try withGit { repo in
      try repo.references().filter { $0.name.hasPrefix("refs/tags/") }
        .map { (String($0.name.dropFirst("refs/tags/".count)), $0.target.hex) }.sorted { $0.0 < $1.0 }
    }
  }

  /// Branches (name → commit id).
  public func branches() throws -> [(name: String, commit: String)] {
    try withGit { repo in
      try repo.references().filter { $0.name.hasPrefix("refs/heads/") }
        .map { (String($0.name.dropFirst("refs/heads/".count)), $0.target.hex) }.sorted { $0.0 < $1.0 }
    }
  }

  /// Creates an annotated tag (with a message) or a lightweight one at `revision`. Existing tags are never moved.
  public func createTag(_ name: String, at revision: String = "HEAD", message: String? = nil) throws {
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    try Self.validateRefName(name, kind: "tag")
    try withGit { repo in
      var target = try repo.resolveCommit(revision).raw
      var object: OpaquePointer?
      try git("git_object_lookup") { git_object_lookup(&object, repo.handle, &target, GIT_OBJECT_COMMIT) }
      defer { git_object_free(object) }
      var out = git_oid()
      let status: Int32
      if let message {
        var signature: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&signature, repo.handle) != 0 { git_signature_now(&signature, "Tessera", "tessera@localhost") }
        defer { git_signature_free(signature) }
        status = git_tag_create(&out, repo.handle, name, object, signature, message, 0)
      } else {
        status = git_tag_create_lightweight(&out, repo.handle, name, object, 0)
      }
      if status == GIT_EEXISTS.rawValue { throw StoreError(.badInput, "tag '\(name)' already exists") }
      try git("git_tag_create") { status }
    }
  }

  public func deleteTag(_ name: String) throws {
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    try withGit { repo in
      let status = git_tag_delete(repo.handle, name)
      if status == GIT_ENOTFOUND.rawValue { throw StoreError(.badInput, "no tag named '\(name)'") }
      try git("git_tag_delete") { status }
    }
  }

  public func createBranch(_ name: String, at revision: String = "HEAD") throws {
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    try Self.validateRefName(name, kind: "branch")
    try withGit { repo in
      var target = try repo.resolveCommit(revision).raw
      var ref: OpaquePointer?
      let status = git_reference_create(&ref, repo.handle, "refs/heads/\(name)", &target, 0, "branch: created from \(revision)")
      if status == GIT_EEXISTS.rawValue { throw StoreError(.badInput, "branch '\(name)' already exists") }
      try git("git_reference_create") { status }
      git_reference_free(ref)
    }
  }

  public func deleteBranch(_ name: String) throws {
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    try withGit { repo in
      if try repo.currentBranch() == name { throw StoreError(.badInput, "cannot delete branch '\(name)': it is checked out") }
      var ref: OpaquePointer?
      let status = git_reference_lookup(&ref, repo.handle, "refs/heads/\(name)")
      if status == GIT_ENOTFOUND.rawValue { throw StoreError(.badInput, "no branch named '\(name)'") }
      try git("git_reference_lookup") { status }
      defer { git_reference_free(ref) }
      try git("git_reference_delete") { git_reference_delete(ref) }
    }
  }

  static func validateRefName(_ name: String, kind: String) throws {
    var valid: Int32 = 0
    guard git_reference_name_is_valid(&valid, "refs/heads/\(name)") == 0, valid == 1, !name.hasPrefix("-") else {
      throw StoreError(.badInput, "'\(name)' is not a valid \(kind) name")
    }
  }
}
