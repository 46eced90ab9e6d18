import CGit2
import CStoreShims

/// A libgit2 failure: the C function that failed, its return code and libgit2's own message.
public struct GitError: Error, Sendable, CustomStringConvertible {
  public var function: String
  public var code: Int32
  public var message: String

  public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
  public var description: String { "\(function) failed (\(code)): \(message)" }
}

/// Calls a libgit2 function and turns a negative status into a `GitError`. libgit2's last error is
/// thread-local, so it is read here, at once, on the calling thread.
@discardableResult
func git(_ function: String, _ body: () -> Int32) throws -> Int32 {
  let status = body()
  guard status < 0 else { return status }
  var message = "unknown error"
  if let last = git_error_last(), let text = last.pointee.message { message = String(cString: text) }
  throw GitError(function: function, code: status, message: message)
}

/// libgit2 must be initialised once per process before any other call.
enum LibGit2 {
  static let initialised: Bool = {
    git_libgit2_init()
    // Packs, indexes and refs libgit2 writes are fsynced: a handful of files per commit, never one per object.
    CStoreShims_git_enable_fsync(1)
    return true
  }()
}
