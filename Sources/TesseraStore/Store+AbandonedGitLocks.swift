import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// libgit2 updates a reference by writing `<name>.lock` and renaming it over the reference. A process killed
/// between the two leaves the `.lock` behind, and every later update of that reference fails with "failed to
/// lock file" — git itself asks the user to delete it by hand. Every write to the store's git references happens
/// under the writer lock, so a `.lock` found by the lock's new holder belongs to a holder that died.
extension Store {
  /// Removes the reference lock files a killed writer left. Call only while holding the writer lock.
  func removeAbandonedGitLocks() { Self.removeAbandonedGitLocks(inGitDirectory: gitDirectory) }

  /// Removes `*.lock` files at the top of a git directory and under its `refs/` and `logs/`. Only for a caller
  /// that holds the lock every writer of that repository takes. With `untouchedFor`, a younger lock is waited on
  /// until it is that old, and removed only if it is still the same file, unmodified.
  static func removeAbandonedGitLocks(inGitDirectory git: String, untouchedFor seconds: Double = 0) {
    let fm = FileManager.default
    var locks: [String] = []
    for name in (try? fm.contentsOfDirectory(atPath: git)) ?? [] where name.hasSuffix(".lock") && name != pushLockName {
      locks.append(git + "/" + name)
    }
    for folder in ["refs", "logs"] {
      guard let walk = fm.enumerator(atPath: git + "/" + folder) else { continue }
      while let relative = walk.nextObject() as? String {
        if relative.hasSuffix(".lock") { locks.append(git + "/" + folder + "/" + relative) }
      }
    }
    for path in locks {
      var before = stat()
      guard stat(path, &before) == 0 else { continue }
      let age = secondsSinceModified(before)
      if age < seconds {
        usleep(UInt32((seconds - max(0, age)) * 1e6))
        var after = stat()
        guard stat(path, &after) == 0, FileScanner.fileStat(after) == FileScanner.fileStat(before) else { continue }
      }
      unlink(path)
    }
  }

  /// The file in a local git remote that pushes hold an exclusive `flock` on (never removed, only locked).
  static let pushLockName = "tessera-push.lock"
}
