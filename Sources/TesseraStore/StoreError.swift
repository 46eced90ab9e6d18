/// What went wrong in the store, with the path or object it concerns; `description` is one line for a person.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
  public enum Kind: String, Sendable {
    case notAStore, alreadyAStore, locked, io, missingObject, corruptObject, badPointer, unsafePath,
         badRevision, wouldOverwrite, changedDuringAdd, badInput, git, nothingToCommit, corruptIndex
  }

  public var kind: Kind
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
