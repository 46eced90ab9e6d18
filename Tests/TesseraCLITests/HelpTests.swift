import Foundation
import Testing
import TesseraTestSupport

@Test func helpListsTheCommandAndExitsZero() throws {
  let result = try runTessera(["--help"])
  #expect(result.status == 0)
  #expect(result.stdout.contains("tessera"))
}

/// Foundation's file errors reach the user as one line naming the path, not a user-info dump.
@Test func fileErrorsAreOneLineNamingThePath() throws {
  try withTemporaryDirectory { dir in
    let missing = dir.url.appendingPathComponent("missing.png").path
    let read = try runTessera(["op", "Invert", missing, "-o", dir.url.appendingPathComponent("out.png").path])
    #expect(read.status == 1)
    #expect(read.stderr == "Error: \(missing): No such file or directory\n", "\(read.stderr)")
    #expect(!read.stderr.contains("NSCocoaErrorDomain"))
  }
}

/// A leaf command is parsed on its own (faster), but help and mistakes are still worded by the root command, with
/// "tessera <command>" in the usage line.
@Test func leafCommandsKeepTheRootsHelpAndErrorWording() throws {
  try withTemporaryDirectory { dir in
    let help = try runTessera(["status", "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("USAGE: tessera status"), "\(help.stdout)")
    let wrong = try runTessera(["status", "--bogus"], in: dir.url)
    #expect(wrong.status == 64)
    #expect(wrong.stderr.contains("Unknown option '--bogus'") && wrong.stderr.contains("Usage: tessera status"), "\(wrong.stderr)")
    let version = try runTessera(["--version"])
    #expect(version.status == 0 && !version.stdout.isEmpty)
    // A well-formed leaf command runs: here it reports that the folder is no store.
    let status = try runTessera(["status"], in: dir.url)
    #expect(status.status != 0 && status.stderr.contains("not a Tessera store"), "\(status.stderr)")
  }
}
