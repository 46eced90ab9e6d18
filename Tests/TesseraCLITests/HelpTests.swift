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
