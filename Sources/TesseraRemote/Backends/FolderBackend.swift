import Foundation
import TesseraStore
#if canImport(Glibc)
import Glibc
#endif

/// A remote in a plain folder (a mounted disk, an NFS share). Files are written under a temporary name,
/// synced and renamed; unfinished part uploads wait in `.uploads/<id>/`.
package struct FolderBackend: ObjectBackend {
  let root: String

  package init(root: String) { self.root = root }

  package var displayName: String { root }

  private func path(_ key: String) -> String { root + "/" + key }

  package func put(_ key: String, _ data: Data) throws {
    let final = path(key)
    try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try writeFileAtomically(data, to: URL(fileURLWithPath: final))
  }

  package func get(_ key: String, range: Range<Int64>?) throws -> Data? {
    let p = path(key)
    guard let handle = FileHandle(forReadingAtPath: p) else {
      if access(p, F_OK) != 0 && errno == ENOENT { return nil }
      throw RemoteError("\(p): cannot open: \(String(cString: strerror(errno)))")
    }
    defer { try? handle.close() }
    guard let range else { return try handle.readToEnd() ?? Data() }
    try handle.seek(toOffset: UInt64(range.lowerBound))
    return try handle.read(upToCount: Int(range.upperBound - range.lowerBound)) ?? Data()
  }

  package func list(_ prefix: String) throws -> [(key: String, size: Int64)] {
    let folder = path(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
    var out: [(String, Int64)] = []
    for name in names where !name.contains(".tmp-") {
      var st = stat()
      guard stat(folder + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
      out.append((prefix + name, Int64(st.st_size)))
    }
    return out
  }

  package func delete(_ key: String) throws {
    if unlink(path(key)) != 0 && errno != ENOENT { throw RemoteError("\(path(key)): cannot delete: \(String(cString: strerror(errno)))") }
  }

  private func uploadFolder(_ upload: String) -> String { root + "/.uploads/" + upload }

  package func startUpload(_ key: String) throws -> String {
    let id = UUID().uuidString.lowercased()
    try FileManager.default.createDirectory(atPath: uploadFolder(id), withIntermediateDirectories: true)
    return id
  }

  package func uploadedParts(_ key: String, upload: String) throws -> [Int: (etag: String, size: Int64)]? {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: uploadFolder(upload)) else { return nil }
    var out: [Int: (String, Int64)] = [:]
    for name in names where name.hasPrefix("part-") && !name.contains(".tmp-") {
      guard let n = Int(name.dropFirst(5)) else { continue }
      var st = stat()
      if stat(uploadFolder(upload) + "/" + name, &st) == 0 { out[n] = (name, Int64(st.st_size)) }
    }
    return out
  }

  package func uploadPart(_ key: String, upload: String, number: Int, _ data: Data) throws -> String {
    try put(".uploads/\(upload)/part-\(number)", data)
    return "part-\(number)"
  }

  package func finishUpload(_ key: String, upload: String, parts: [(number: Int, etag: String)]) throws {
    // Parts are joined by streaming them into a temporary file, never into memory whole.
    let final = path(key)
    try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let tmp = final + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    guard FileManager.default.createFile(atPath: tmp, contents: nil) else { throw RemoteError("\(tmp): cannot create file") }
    do {
      let out = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
      defer { try? out.close() }
      for part in parts.sorted(by: { $0.number < $1.number }) {
        guard let input = FileHandle(forReadingAtPath: uploadFolder(upload) + "/" + part.etag) else {
          throw RemoteError("\(uploadFolder(upload)): part \(part.number) is missing")
        }
        defer { try? input.close() }
        while let chunk = try input.read(upToCount: 8 << 20), !chunk.isEmpty { try out.write(contentsOf: chunk) }
      }
      try out.synchronize()
      guard rename(tmp, final) == 0 else { throw RemoteError("\(final): rename failed: \(String(cString: strerror(errno)))") }
    } catch {
      unlink(tmp)
      throw error
    }
    try? FileManager.default.removeItem(atPath: uploadFolder(upload))
  }

  package func abortUpload(_ key: String, upload: String) throws {
    try? FileManager.default.removeItem(atPath: uploadFolder(upload))
  }

  package func size(of key: String) throws -> Int64? {
    var st = stat()
    return stat(path(key), &st) == 0 ? Int64(st.st_size) : nil
  }
}
