import CGit2
#if canImport(Glibc)
import Glibc
#endif

/// A reference as a git remote advertises it.
package struct RemoteReference: Sendable, Equatable {
  package var name: String
  package var commit: String
  /// For `HEAD`: the branch it points at (`refs/heads/main`).
  package var symbolicTarget: String?
}

/// What happened to one reference a push asked for: nil `rejection` means the remote took it.
package struct PushedReference: Sendable, Equatable {
  package var name: String
  package var rejection: String?
}

extension GitRepository {
  /// An in-memory remote for `url` (nothing is written to the repository's config).
  private func withRemote<T>(_ url: String, _ body: (OpaquePointer) throws -> T) throws -> T {
    var remote: OpaquePointer?
    try git("git_remote_create_anonymous") { git_remote_create_anonymous(&remote, handle, url) }
    defer { git_remote_free(remote) }
    return try body(remote!)
  }

  /// The references the remote advertises, read without fetching anything.
  func remoteReferences(url: String) throws -> [RemoteReference] {
    try withRemote(url) { remote in
      var callbacks = git_remote_callbacks()
      try git("git_remote_init_callbacks") { git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION)) }
      try git("git_remote_connect") { git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil) }
      defer { git_remote_disconnect(remote) }
      var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
      var count = 0
      try git("git_remote_ls") { git_remote_ls(&heads, &count, remote) }
      return (0..<count).compactMap { i in
        guard let head = heads?[i]?.pointee else { return nil }
        return RemoteReference(name: String(cString: head.name), commit: GitOID(head.oid).hex,
                               symbolicTarget: head.symref_target.map { String(cString: $0) })
      }
    }
  }

  /// Downloads what `refspecs` name from the remote and updates the local references they map to.
  func fetch(url: String, refspecs: [String], prune: Bool) throws {
    try withRemote(url) { remote in
      var options = git_fetch_options()
      try git("git_fetch_options_init") { git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)) }
      options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
      options.prune = prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE
      try withStrings(refspecs) { array in
        try git("git_remote_fetch") { git_remote_fetch(remote, &array, &options, "tessera fetch") }
      }
    }
  }

  /// Sends the commits behind `refspecs` and asks the remote to move its references; a reference the remote
  /// refuses (not a fast-forward, say) comes back with the remote's reason.
  func push(url: String, refspecs: [String]) throws -> [PushedReference] {
    final class Collected { var refs: [PushedReference] = [] }
    let collected = Collected()
    try withRemote(url) { remote in
      var options = git_push_options()
      try git("git_push_options_init") { git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)) }
      options.callbacks.payload = Unmanaged.passUnretained(collected).toOpaque()
      options.callbacks.push_update_reference = { name, status, payload in
        let box = Unmanaged<Collected>.fromOpaque(payload!).takeUnretainedValue()
        box.refs.append(PushedReference(name: String(cString: name!), rejection: status.map { String(cString: $0) }))
        return 0
      }
      try withStrings(refspecs) { array in
        try git("git_remote_push") { git_remote_push(remote, &array, &options) }
      }
    }
    return collected.refs
  }

  /// Whether `ancestor` is `descendant` or in its history.
  func isAncestor(_ ancestor: GitOID, of descendant: GitOID) throws -> Bool {
    if ancestor == descendant { return true }
    var a = ancestor.raw, d = descendant.raw
    return try git("git_graph_descendant_of") { git_graph_descendant_of(handle, &d, &a) } == 1
  }
}

/// Lends a `git_strarray` over Swift strings for the length of `body`.
@discardableResult
func withStrings<T>(_ strings: [String], _ body: (inout git_strarray) throws -> T) rethrows -> T {
  let pointers = strings.map { strdup($0) }
  defer { pointers.forEach { free($0) } }
  var mutable = pointers
  return try mutable.withUnsafeMutableBufferPointer { buffer in
    var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
    return try body(&array)
  }
}
