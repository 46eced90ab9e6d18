import ArgumentParser
import Foundation
import TesseraStore

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
  public static func runFromCommandLine(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
    PerformanceTrace.point("main")
    do {
      var command = try parseLeafDirectly(arguments) ?? parseAsRoot(arguments)
      PerformanceTrace.point("parsed")
      try command.run()
      exit()
    } catch {
      exit(withError: CLIMessage.readable(error))
    }
  }
}

extension Tessera {
  /// The subcommands without subcommands of their own, by name.
  private static let leafCommands: [String: any ParsableCommand.Type] = Dictionary(
    allSubcommands.compactMap { type in
      type.configuration.subcommands.isEmpty ? (type.configuration.commandName ?? "", type) : nil
    }, uniquingKeysWith: { first, _ in first })

  /// `tessera add ...` parsed by `Add` alone. Parsing from the root first looks for a completion-script request
  /// in a tree of every command, reflecting over all their options: 2–3 ms of conformance lookups, a quarter of
  /// the start of a short command such as `add` or `status`. Anything the leaf cannot parse on its own (help,
  /// `--version`, a mistake) returns nil, and the root parses it again and words the message as usual.
  static func parseLeafDirectly(_ arguments: [String]) -> (any ParsableCommand)? {
    guard let name = arguments.first, let type = leafCommands[name] else { return nil }
    let rest = Array(arguments.dropFirst())
    // Help and completion requests are the root's to answer (with "tessera <command>" in the usage line).
    guard !rest.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "-help" || $0.hasPrefix("--generate-completion")
                                  || $0.hasPrefix("--experimental") }) else { return nil }
    return try? type.parseAsRoot(rest)
  }
}
