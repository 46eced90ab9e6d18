import ArgumentParser
import Foundation

/// A one-line error for the user (ArgumentParser prints "Error: <message>" and exits 1).
struct CLIMessage: Error, CustomStringConvertible {
  var description: String
  init(_ message: String) { description = message }

  /// Foundation's file errors print as a dump of their user-info dictionary; this turns them into
  /// "PATH: reason" (e.g. "train/a.png: No such file or directory"). Other errors pass through.
  static func readable(_ error: any Error) -> any Error {
    guard !(error is CLIMessage) else { return error }
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return error }
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    var reason = ns.localizedDescription
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? any Error,
       (underlying as NSError).domain == NSPOSIXErrorDomain {
      reason = String(cString: strerror(Int32((underlying as NSError).code)))
    } else if ns.domain == NSPOSIXErrorDomain {
      reason = String(cString: strerror(Int32(ns.code)))
    }
    return CLIMessage(path.map { "\($0): \(reason)" } ?? reason)
  }
}

extension Tessera {
  /// `main` with readable file errors: parses the command line, runs the command, and exits with
  /// ArgumentParser's usual messages and codes.
  public static func runFromCommandLine() -> Never {
    do {
      var command = try parseAsRoot()
      try command.run()
      exit()
    } catch {
      exit(withError: CLIMessage.readable(error))
    }
  }
}
