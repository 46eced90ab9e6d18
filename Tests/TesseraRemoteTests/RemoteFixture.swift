import Foundation
import TesseraRemote
import TesseraAugment
import TesseraTestSupport

/// A small dataset in a temporary folder, committed with the real binary, plus the S3 settings of the shared
/// SeaweedFS server for the remote tests.
struct RemoteFixture {
  let work: TemporaryDirectory
  var dataset: URL { work.url.appendingPathComponent("dataset") }
  var environment: [String: String]

  /// `smallFiles` files of a few KB under train/<class>/ and test/<class>/, plus `largeFiles` of 1.5 MiB (loose objects).
  init(smallFiles: Int = 40, largeFiles: Int = 1, smallSize: Int = 2000, partSize: Int = 64 << 10, s3: Bool = true) throws {
    work = try TemporaryDirectory(prefix: "tessera-remote")
    environment = ["TESSERA_REMOTE_PART_SIZE": String(partSize)]
    if s3 {
      let server = try SeaweedFS.shared()
      environment["AWS_ACCESS_KEY_ID"] = server.accessKey
      environment["AWS_SECRET_ACCESS_KEY"] = server.secretKey
      environment["AWS_ENDPOINT_URL"] = server.endpoint
      environment["AWS_REGION"] = server.region
    }
    var generator = SplitMix64(seed: 7)
    for i in 0..<smallFiles {
      let split = i % 4 == 0 ? "test" : "train"
      let label = ["Coat", "Shirt", "Bag"][i % 3]
      try write(generator.bytes(smallSize + i * 37), to: "\(split)/\(label)/\(i).bin")
    }
    for i in 0..<largeFiles { try write(generator.bytes(3 << 19), to: "train/Bag/large-\(i).bin") }
    try tessera(["init"])
    try tessera(["add"])
    try tessera(["commit", "-m", "v1"])
    try tessera(["tag", "v1"])
  }

  func write(_ bytes: [UInt8], to path: String, in folder: URL? = nil) throws {
    let url = (folder ?? dataset).appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
  }

  /// Runs the binary in the dataset folder (or `folder`) and fails on a non-zero exit.
  @discardableResult
  func tessera(_ arguments: [String], in folder: URL? = nil, extra: [String: String] = [:]) throws -> CommandResult {
    let result = try runTessera(arguments, in: folder ?? dataset, environment: environment.merging(extra) { $1 })
    guard result.status == 0 else {
      throw RemoteError("tessera \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
    }
    return result
  }

  func tesseraStatus(_ arguments: [String], in folder: URL? = nil, extra: [String: String] = [:]) throws -> CommandResult {
    try runTessera(arguments, in: folder ?? dataset, environment: environment.merging(extra) { $1 })
  }

  /// A new bucket on the shared server, created through Tessera's own client once the server really takes writes.
  func makeBucket(_ hint: String) throws -> String {
    let server = try SeaweedFS.shared()
    let client = S3Client(settings: S3Settings(endpoint: URL(string: server.endpoint), region: server.region,
                                               accessKey: server.accessKey, secretKey: server.secretKey))
    let name = server.uniqueBucketName(hint)
    try server.waitUntilReady { (try? client.createBucket(name)) != nil }
    return name
  }

  func json(_ result: CommandResult) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
  }

  /// Every file under a folder (outside `.tessera`) → its bytes.
  static func contents(of folder: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let base = folder.standardizedFileURL.path
    let walker = FileManager.default.enumerator(atPath: base)!
    while let relative = walker.nextObject() as? String {
      if relative.hasPrefix(".tessera") { continue }
      var isFolder: ObjCBool = false
      FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isFolder)
      if !isFolder.boolValue { out[relative] = FileManager.default.contents(atPath: base + "/" + relative) }
    }
    return out
  }
}
