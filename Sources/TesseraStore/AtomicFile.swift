import Foundation

/// Replaces the file at `url` with `data` atomically (a temporary file beside it, fsync, rename):
/// readers see the old or the new content, never a torn file, also after a power cut (Foundation's
/// `.atomic` renames without fsync). Used for reports, policy files and exports.
public func writeFileAtomically(_ data: Data, to url: URL) throws {
  try writeFileAtomically(url.path, [UInt8](data))
}
