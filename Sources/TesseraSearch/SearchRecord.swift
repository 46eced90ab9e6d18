import Foundation
import GRDB

/// One row of the ledger's `search` table.
public struct SearchRecord: Sendable, Codable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "search"

  public enum Status: String, Sendable, Codable, Hashable {
    /// Trials still to run (or interrupted: `--resume` continues).
    case running
    /// Report written.
    case finished
  }

  public var id: String
  public var createdAt: Date
  public var updatedAt: Date
  public var revision: String
  public var datasetVersion: String
  public var space: String
  public var algorithm: String
  public var budget: String
  public var metric: String
  /// The full `SearchConfiguration` as JSON.
  public var configuration: String
  public var status: Status
  /// The winning candidate as JSON, once known.
  public var winner: String?
  /// Where the report went.
  public var reportPath: String?

  public func decodedConfiguration() throws -> SearchConfiguration {
    do {
      return try JSONDecoder().decode(SearchConfiguration.self, from: Data(configuration.utf8))
    } catch {
      throw SearchError.ledger("search \(id): unreadable configuration: \(error)")
    }
  }
}
