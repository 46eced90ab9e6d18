import ArgumentParser

// One line per subcommand; each lives in Commands/<Name>.swift.
extension Tessera {
  static let allSubcommands: [any ParsableCommand.Type] = [
    Init.self, Add.self, Commit.self, Status.self, Log.self, Show.self, Diff.self, Tag.self, Branch.self,
    Checkout.self, Verify.self, GC.self, MonitorCommand.self,
    RemoteCommand.self, Push.self, Fetch.self, Pull.self, Clone.self,
    Import.self,
    Op.self,
    PolicyCommand.self,
    Preview.self,
    Train.self,
    Augment.self,
    Search.self,
    Trials.self,
    TrialCommand.self,
    Demo.self,
  ]
}
