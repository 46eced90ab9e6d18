import Foundation
import Testing
import TesseraStore
import TesseraAugment
import TesseraTestSupport
@testable import TesseraRemote

/// Multipart uploads through the folder backend: resumed from the parts already there, and a stale upload of
/// other bytes dropped instead of left behind.
@Suite struct UploadResumeTests {
  func makeRemote() throws -> (TemporaryDirectory, Remote, String) {
    let dir = try TemporaryDirectory(prefix: "tessera-upload")
    try FileManager.default.createDirectory(atPath: dir.path + "/ds", withIntermediateDirectories: true)
    let store = try Store.initialize(at: dir.path + "/ds")
    let remote = try Remote(store: store, configuration: RemoteConfiguration(name: "r", url: dir.path + "/remote"))
    remote.partSize = 5 << 20
    var generator = SplitMix64(seed: 3)
    let file = dir.path + "/big.bin"
    try Data(generator.bytes(11 << 20)).write(to: URL(fileURLWithPath: file))
    return (dir, remote, file)
  }

  @Test func anUploadResumesFromThePartsAlreadySent() throws {
    let (dir, remote, file) = try makeRemote()
    defer { dir.remove() }
    // An earlier run sent part 1 of 3, then died.
    let backend = remote.backend
    let upload = try backend.startUpload("objects/x")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
    _ = try backend.uploadPart("objects/x", upload: upload, number: 1, bytes.prefix(5 << 20))
    let state = Remote.UploadState(key: "objects/x", upload: upload, partSize: 5 << 20, size: Int64(bytes.count))
    try JSONEncoder().encode(state).write(to: URL(fileURLWithPath: remote.cacheDirectory + "/upload-objects_x.json"))
    #expect(try remote.uploadFile(file, key: "objects/x", progress: nil) == 1)
    #expect(try backend.get("objects/x") == bytes)
  }

  @Test func aStaleUploadOfOtherBytesIsDropped() throws {
    let (dir, remote, file) = try makeRemote()
    defer { dir.remove() }
    let backend = remote.backend
    let stale = try backend.startUpload("objects/x")
    _ = try backend.uploadPart("objects/x", upload: stale, number: 1, Data(count: 5 << 20))
    let state = Remote.UploadState(key: "objects/x", upload: stale, partSize: 5 << 20, size: 999)
    try JSONEncoder().encode(state).write(to: URL(fileURLWithPath: remote.cacheDirectory + "/upload-objects_x.json"))
    #expect(try remote.uploadFile(file, key: "objects/x", progress: nil) == 0)
    #expect(try backend.get("objects/x") == Data(contentsOf: URL(fileURLWithPath: file)))
    #expect(try backend.uploadedParts("objects/x", upload: stale) == nil)
  }
}
