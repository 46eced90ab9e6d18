/// Why the loader could not produce a batch. Each case names the sample (path or object id).
public enum LoaderError: Error, CustomStringConvertible, Sendable, Equatable {
  case unreadable(String, String)
  case undecodable(String, String)
  case wrongSize(String, width: Int, height: Int, expectedWidth: Int, expectedHeight: Int)
  case emptyDataset(String)
  case badLayout(String)

  public var description: String {
    switch self {
    case .unreadable(let name, let why): return "\(name): cannot read: \(why)"
    case .undecodable(let name, let why): return "\(name): cannot decode: \(why)"
    case .wrongSize(let name, let w, let h, let ew, let eh):
      return "\(name): image is \(w)x\(h), but the model takes \(ew)x\(eh)"
    case .emptyDataset(let what): return "\(what): no samples"
    case .badLayout(let why): return why
    }
  }
}
