import Foundation
import Testing
import TesseraRemote
import TesseraTestSupport

/// Remotes in a plain folder, with their versions in the folder's own bare git repository (file transport).
@Suite struct FolderRemoteTests {
  @Test func folderRemoteRoundTripsAndRefusesToLoseVersions() throws {
    let f = try RemoteFixture(smallFiles: 12, largeFiles: 1, s3: false)
    let remote = f.work.url.appendingPathComponent("nas/fashion").path
    try f.tessera(["remote", "add", "backup", remote])
    #expect(try f.tessera(["remote", "list"]).stdout.contains("backup\t\(remote)"))
    try f.tessera(["push", "backup", "main", "v1"])
    #expect(FileManager.default.fileExists(atPath: remote + "/git/HEAD"))
    #expect(FileManager.default.fileExists(atPath: remote + "/tessera-remote.json"))

    let copy = f.work.url.appendingPathComponent("copy")
    try f.tessera(["clone", remote, copy.path], in: f.work.url)
    #expect(try RemoteFixture.contents(of: copy) == RemoteFixture.contents(of: f.dataset))
    #expect(try f.tessera(["tag"], in: copy).stdout.contains("v1"))

    // Both sides commit: the second push is refused with advice, and so is a pull that would need a merge.
    try f.write([9], to: "train/Coat/a.bin")
    try f.tessera(["add"])
    try f.tessera(["commit", "-m", "here"])
    try f.tessera(["push"])
    try f.write([8], to: "train/Coat/b.bin", in: copy)
    try f.tessera(["add"], in: copy)
    try f.tessera(["commit", "-m", "there"], in: copy)
    let push = try f.tesseraStatus(["push"], in: copy)
    #expect(push.status != 0 && push.stderr.contains("tessera pull"))
    let pull = try f.tesseraStatus(["pull"], in: copy)
    #expect(pull.status != 0 && pull.stderr.contains("diverged"))
    // The refused push sent its object; nothing on the remote is damaged.
    try f.tessera(["verify", "--remote", "origin", "--deep"], in: copy)
  }

  /// A push killed inside libgit2's reference update on the remote leaves `refs/heads/<branch>.lock` in the
  /// remote's git repository; the next push (from any store) must not fail on it forever.
  @Test func aReferenceLockLeftInTheRemoteByAKilledPushIsTakenAsAbandoned() throws {
    let f = try RemoteFixture(smallFiles: 4, largeFiles: 0, s3: false)
    let remote = f.work.url.appendingPathComponent("nas/left").path
    try f.tessera(["remote", "add", "backup", remote])
    try f.tessera(["push", "backup", "main"])
    for stale in ["refs/heads/main.lock", "packed-refs.lock"] {
      try Data("0123456789abcdef0123456789abcdef01234567\n".utf8).write(to: URL(fileURLWithPath: remote + "/git/" + stale))
    }
    try f.write([7], to: "train/Coat/a.bin")
    try f.tessera(["commit", "--all", "-m", "after a killed push"])
    let push = try f.tesseraStatus(["push", "backup", "main"])
    #expect(push.status == 0, "push beside a stale remote lock: \(push.stderr)")
    #expect(!FileManager.default.fileExists(atPath: remote + "/git/refs/heads/main.lock"))
    try f.tessera(["verify", "--remote", "backup"])
  }

  /// `file://` URLs are read as libgit2 reads them: `localhost` as the host, percent-escapes decoded; a file URL
  /// naming another host is refused by name.
  @Test func fileURLsWithLocalhostAndEscapesNameTheSameFolder() throws {
    let f = try RemoteFixture(smallFiles: 3, largeFiles: 0, s3: false)
    let folder = f.work.url.appendingPathComponent("shared drive/sets").path
    try f.tessera(["remote", "add", "backup", "file://localhost" + folder.replacingOccurrences(of: " ", with: "%20")])
    try f.tessera(["push", "backup", "main"])
    #expect(FileManager.default.fileExists(atPath: folder + "/git/HEAD"))
    #expect(FileManager.default.fileExists(atPath: folder + "/tessera-remote.json"))
    try f.tessera(["verify", "--remote", "backup"])
    let other = try f.tesseraStatus(["remote", "add", "far", "file://elsewhere/data"])
    #expect(other.status != 0 && other.stderr.contains("file://elsewhere/data"))
  }

  @Test func pullNeverOverwritesAChangedFile() throws {
    let f = try RemoteFixture(smallFiles: 6, largeFiles: 0, s3: false)
    let remote = f.work.url.appendingPathComponent("r").path
    try f.tessera(["remote", "add", "origin", remote])
    try f.tessera(["push"])
    let copy = f.work.url.appendingPathComponent("copy")
    try f.tessera(["clone", remote, copy.path], in: f.work.url)
    try f.write([1, 1, 1], to: "train/Shirt/1.bin")
    try f.tessera(["add"])
    try f.tessera(["commit", "-m", "v2"])
    try f.tessera(["push"])
    try f.write([7, 7], to: "train/Shirt/1.bin", in: copy)
    let refused = try f.tesseraStatus(["pull"], in: copy)
    #expect(refused.status != 0 && refused.stderr.contains("--force"))
    #expect(FileManager.default.contents(atPath: copy.path + "/train/Shirt/1.bin") == Data([7, 7]))
    #expect(try f.tessera(["log", "--json"], in: copy).stdout.components(separatedBy: "\"id\"").count == 2)
  }

  @Test func badInputGetsOneLineErrors() throws {
    let f = try RemoteFixture(smallFiles: 2, largeFiles: 0, s3: false)
    for (arguments, message) in [
      (["remote", "add", "bad name", "/tmp/x"], "remote name"),
      (["remote", "add", "o", "s3://ab"], "not a valid S3 bucket name"),
      (["remote", "add", "o", "ftp://host/x"], "unsupported remote"),
      (["push", "nowhere"], "no remote named 'nowhere'"),
    ] {
      let r = try f.tesseraStatus(arguments)
      #expect(r.status != 0, "\(arguments)")
      #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
      #expect(r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
    }
    try f.tessera(["remote", "add", "o", f.work.url.appendingPathComponent("r").path])
    #expect(try f.tesseraStatus(["remote", "add", "o", "/tmp/y"]).stderr.contains("already exists"))
    let notBranch = try f.tesseraStatus(["push", "o", "deadbeef"])
    #expect(notBranch.stderr.contains("not a branch or tag"))
    // A clone never writes into a folder that holds something.
    let full = f.work.url.appendingPathComponent("full")
    try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
    try Data([1]).write(to: full.appendingPathComponent("keep.txt"))
    try f.tessera(["push", "o"])
    let clone = try f.tesseraStatus(["clone", f.work.url.appendingPathComponent("r").path, full.path], in: f.work.url)
    #expect(clone.status != 0 && clone.stderr.contains("not an empty folder"))
    #expect(FileManager.default.contents(atPath: full.path + "/keep.txt") == Data([1]))
  }

  @Test func relativeRemotePathsMeanTheSameFolderFromAnywhere() throws {
    let f = try RemoteFixture(smallFiles: 4, largeFiles: 0, s3: false)
    try f.tessera(["remote", "add", "nas", "../nas"])
    #expect(try f.tessera(["remote", "list"]).stdout.contains("\t" + f.work.url.appendingPathComponent("nas").standardizedFileURL.path))
    // From a subfolder the same remote is used.
    try f.tessera(["push", "nas"], in: f.dataset.appendingPathComponent("train"))
    #expect(FileManager.default.fileExists(atPath: f.work.url.appendingPathComponent("nas/git/HEAD").path))
  }

  @Test func aPartialPullNeverLeavesAnOldFileToPassForTheNewVersion() throws {
    let f = try RemoteFixture(smallFiles: 8, largeFiles: 0, s3: false)
    let remote = f.work.url.appendingPathComponent("r").path
    try f.tessera(["remote", "add", "origin", remote])
    try f.tessera(["push"])
    let copy = f.work.url.appendingPathComponent("copy")
    try f.tessera(["clone", remote, copy.path], in: f.work.url)
    try f.write([4, 4, 4], to: "train/Shirt/1.bin")
    try f.tessera(["add"])
    try f.tessera(["commit", "-m", "v2"])
    try f.tessera(["push"])
    // Only the test split is pulled: the outdated train file goes (its new bytes were not fetched).
    try f.tessera(["pull", "--split", "test"], in: copy)
    #expect(!FileManager.default.fileExists(atPath: copy.path + "/train/Shirt/1.bin"))
    let status = try f.tessera(["status"], in: copy).stdout
    #expect(status.contains("Partial checkout") && status.contains("Nothing to commit"))
    // A full pull brings everything back, up to date.
    try f.tessera(["pull", "--path", "train", "--path", "test"], in: copy)
    try f.tessera(["checkout", "main"], in: copy)
    #expect(try RemoteFixture.contents(of: copy) == RemoteFixture.contents(of: f.dataset))
  }
}
