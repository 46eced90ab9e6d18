import Foundation

/// A remote in an S3 bucket under a prefix (`s3://bucket/prefix`).
package struct S3Backend: ObjectBackend {
  let client: S3Client
  let bucket: String
  let prefix: String

  package init(client: S3Client, bucket: String, prefix: String) {
    self.client = client
    self.bucket = bucket
    var p = prefix
    while p.hasSuffix("/") { p.removeLast() }
    self.prefix = p
  }

  package var displayName: String { "s3://\(bucket)" + (prefix.isEmpty ? "" : "/" + prefix) }

  private func full(_ key: String) -> String { prefix.isEmpty ? key : prefix + "/" + key }

  package func put(_ key: String, _ data: Data) throws { try client.putObject(bucket: bucket, key: full(key), body: data) }

  package func get(_ key: String, range: Range<Int64>?) throws -> Data? {
    try client.getObject(bucket: bucket, key: full(key), range: range)
  }

  package func list(_ prefix: String) throws -> [(key: String, size: Int64)] {
    let strip = self.prefix.isEmpty ? 0 : self.prefix.count + 1
    return try client.listObjects(bucket: bucket, prefix: full(prefix)).map { (String($0.key.dropFirst(strip)), $0.size) }
  }

  package func delete(_ key: String) throws { try client.deleteObject(bucket: bucket, key: full(key)) }

  package func startUpload(_ key: String) throws -> String { try client.createMultipartUpload(bucket: bucket, key: full(key)) }

  package func uploadedParts(_ key: String, upload: String) throws -> [Int: (etag: String, size: Int64)]? {
    try client.listParts(bucket: bucket, key: full(key), uploadID: upload)
  }

  package func uploadPart(_ key: String, upload: String, number: Int, _ data: Data) throws -> String {
    try client.uploadPart(bucket: bucket, key: full(key), uploadID: upload, number: number, body: data)
  }

  package func finishUpload(_ key: String, upload: String, parts: [(number: Int, etag: String)]) throws {
    try client.completeMultipartUpload(bucket: bucket, key: full(key), uploadID: upload, parts: parts)
  }

  package func abortUpload(_ key: String, upload: String) throws {
    try client.abortMultipartUpload(bucket: bucket, key: full(key), uploadID: upload)
  }

  package func size(of key: String) throws -> Int64? { try client.headObject(bucket: bucket, key: full(key)) }
}
