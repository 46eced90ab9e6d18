import Foundation

/// Replaces the file at `url` with `data` atomically (a temporary file beside it, fsync, rename):
/// readers see the old or the new content, never a torn file. Used for reports, policy files and
/// exports instead of Foundation's `.atomic` writes, which on Linux leave an empty
/// `TemporaryDirectory.*` folder in /tmp behind for every call.
public func writeFileAtomically(_ data: Data, to url: URL) throws {
  try writeFileAtomically(url.path, [UInt8](data))
}
