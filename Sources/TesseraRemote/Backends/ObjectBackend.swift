import Foundation

/// Where a remote's files live: an S3 bucket and prefix, or a folder. Keys are `/`-separated paths below the
/// remote's root. Every write is all-or-nothing: a reader sees a whole file or none.
package protocol ObjectBackend: Sendable {
  /// For messages: `s3://bucket/prefix` or the folder path.
  var displayName: String { get }
  func put(_ key: String, _ data: Data) throws
  /// The bytes of a key (or of `range` of it); nil when the key does not exist.
  func get(_ key: String, range: Range<Int64>?) throws -> Data?
  /// Every key under `prefix` (a folder-like prefix ending in `/`), with sizes.
  func list(_ prefix: String) throws -> [(key: String, size: Int64)]
  func delete(_ key: String) throws

  // Uploads in parts, resumable: a part already sent is not sent again.
  func startUpload(_ key: String) throws -> String
  /// Parts an unfinished upload holds (number → (tag, size)); nil when the upload no longer exists.
  func uploadedParts(_ key: String, upload: String) throws -> [Int: (etag: String, size: Int64)]?
  func uploadPart(_ key: String, upload: String, number: Int, _ data: Data) throws -> String
  func finishUpload(_ key: String, upload: String, parts: [(number: Int, etag: String)]) throws
  /// Drops an unfinished upload and the parts it holds.
  func abortUpload(_ key: String, upload: String) throws
  /// The size of a key, or nil when it does not exist.
  func size(of key: String) throws -> Int64?
}

extension ObjectBackend {
  func get(_ key: String) throws -> Data? { try get(key, range: nil) }
}
