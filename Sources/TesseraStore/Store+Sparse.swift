import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A partial checkout (after a partial clone, or `checkout --split/--class` of a whole version) records its
/// filter in `.tessera/sparse`. A tracked file outside the filter that is absent from the folder is "not checked
/// out", not deleted: `status` does not list it and `add` does not record its removal, as git's sparse checkout.
extension Store {
  var sparsePath: String { meta + "/sparse" }

  /// The filter of the current partial checkout, or nil when the whole version is checked out.
  public func sparseFilter() throws -> VersionFilter? {
    guard fileExists(sparsePath) else { return nil }
    do {
      return try JSONDecoder().decode(VersionFilter.self, from: Data(readFile(sparsePath)))
    } catch {
      throw StoreError(.corruptIndex, "\(sparsePath): not a valid partial-checkout filter (\(error)); delete it and run 'tessera checkout BRANCH'")
    }
  }

  func setSparseFilter(_ filter: VersionFilter?) throws {
    guard let filter, !filter.isEverything else {
      if unlink(sparsePath) != 0 && errno != ENOENT { throw StoreError.fromErrno(errno, "unlink", sparsePath) }
      return
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try writeFileAtomically(sparsePath, Array(try encoder.encode(filter)))
  }

  /// Whether an absent tracked file is merely outside the partial checkout.
  static func isNotCheckedOut(_ file: TrackedFile, sparse: VersionFilter?) -> Bool {
    guard let sparse else { return false }
    return !sparse.matches(file)
  }
}
