/// A search that cannot start or continue; the message names the option, file or id at fault.
public enum SearchError: Error, CustomStringConvertible, Sendable, Equatable {
  case badInput(String)
  case unknownSearch(String)
  case ledger(String)

  public var description: String {
    switch self {
    case .badInput(let m): return m
    case .unknownSearch(let id): return "no search '\(id)' in the ledger (see 'tessera trials ls')"
    case .ledger(let m): return "ledger: \(m)"
    }
  }
}
