import ArgumentParser

// One line per subcommand; each lives in Commands/<Name>.swift.
extension Tessera {
  static let allSubcommands: [any ParsableCommand.Type] = [
    Init.self, Add.self, Commit.self,
  ]
}
