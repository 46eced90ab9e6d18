/// A dataset could not be read or written: which file or folder, and what is wrong with it, in one line
/// (`train-labels-idx1-ubyte.gz: has 59999 labels but train-images-idx3-ubyte.gz has 60000 images`).
public struct DatasetImportError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable {
    /// An input file is absent or unreadable.
    case missingInput
    /// An input file is damaged: gzip stream, IDX header, sizes, label values.
    case corruptInput
    /// The inputs disagree with each other (image and label counts).
    case inconsistentInputs
    /// The output folder exists and is not empty, and overwriting was not asked for.
    case outputExists
    /// Writing the output failed (a C call returned an error; `message` names it and errno's text).
    case outputFailed
  }

  public var kind: Kind
  /// The file or folder concerned.
  public var path: String
  public var message: String

  public init(_ kind: Kind, path: String, _ message: String) {
    self.kind = kind
    self.path = path
    self.message = message
  }

  public var description: String { "\(path): \(message)" }
}
