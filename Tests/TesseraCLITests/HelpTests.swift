import Foundation
import Testing
import TesseraTestSupport

@Test func helpListsTheCommandAndExitsZero() throws {
  let result = try runTessera(["--help"])
  #expect(result.status == 0)
  #expect(result.stdout.contains("tessera"))
}
