import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraStore

@Suite struct WriterLockTests {
  /// A second writer in the process that already holds the lock (a library caller starting a write while its own
  /// earlier one runs) is told so at once: neither "another process", nor a wait that could never end.
  @Test func aWriterOfTheSameProcessIsToldSoWithoutWaiting() throws {
    try withTemporaryDirectory { dir in
      let path = dir.path + "/lock"
      do {
        let held = try WriterLock(path: path)
        let start = Date()
        #expect {
          try WriterLock(path: path, waitSeconds: 5)
        } throws: { error in
          (error as? StoreError).map { $0.kind == .locked && $0.message.contains("this same process (pid \(getpid()))") } ?? false
        }
        #expect(Date().timeIntervalSince(start) < 2, "waited for a lock this process holds")
        withExtendedLifetime(held) {}
      }
      _ = try WriterLock(path: path)  // free again once the first is gone
    }
  }
}
