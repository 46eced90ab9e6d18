import ArgumentParser

/// The `tessera` command: a thin layer over the Tessera libraries.
public struct Tessera: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "tessera",
    abstract: "Version image datasets; search, apply and ship augmentation policies.",
    discussion: """
      Examples:
        tessera init
        tessera add train test
        tessera commit -m "Fashion-MNIST as published"
      """,
    version: "0.1.0",
    subcommands: Tessera.allSubcommands
  )

  public init() {}
}
