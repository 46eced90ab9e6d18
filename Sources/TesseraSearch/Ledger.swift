import Foundation
import GRDB
import TesseraTrain

/// The durable record of every search and trial: SQLite through GRDB at `.tessera/search.sqlite`.
///
/// A trial row is written as `running` when it starts and updated to `finished` with its metrics in
/// one transaction when it ends; a crash in between leaves a `running` row, which a resumed search
/// runs again. Finished rows are never redone.
public final class Ledger: Sendable {
  public let path: String
  let queue: DatabaseQueue

  /// Opens (creating if needed) the ledger of the store rooted at `storeRoot`.
  public convenience init(storeRoot: String) throws {
    try self.init(path: storeRoot + "/.tessera/search.sqlite")
  }

  public init(path: String) throws {
    self.path = path
    var configuration = Configuration()
    // Another process (`tessera trials ls` beside a running search) may hold the lock briefly.
    configuration.busyMode = .timeout(10)
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration)
      try Ledger.migrator.migrate(queue)
    } catch let error as DatabaseError {
      throw SearchError.ledger("\(path): \(error.message ?? error.description)")
    }
  }

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.create(table: "search") { t in
        t.column("id", .text).primaryKey()
        t.column("createdAt", .datetime).notNull()
        t.column("updatedAt", .datetime).notNull()
        t.column("revision", .text).notNull()
        t.column("datasetVersion", .text).notNull()
        t.column("space", .text).notNull()
        t.column("algorithm", .text).notNull()
        t.column("budget", .text).notNull()
        t.column("metric", .text).notNull()
        t.column("configuration", .text).notNull()
        t.column("status", .text).notNull()
        t.column("winner", .text)
        t.column("reportPath", .text)
      }
      try db.create(table: "trial") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("searchId", .text).notNull().indexed().references("search", onDelete: .cascade)
        t.column("key", .text).notNull()
        t.column("number", .integer).notNull()
        t.column("phase", .text).notNull()
        t.column("name", .text).notNull()
        t.column("policy", .text).notNull()
        t.column("datasetVersion", .text).notNull()
        t.column("seed", .integer).notNull()
        t.column("epochs", .integer).notNull()
        t.column("trainImages", .integer).notNull()
        t.column("rung", .integer)
        t.column("parentKey", .text)
        t.column("status", .text).notNull()
        t.column("score", .double)
        t.column("accuracy", .double)
        t.column("macroF1", .double)
        t.column("ece", .double)
        t.column("metrics", .text)
        t.column("cpuSeconds", .double)
        t.column("wallSeconds", .double)
        t.column("augmentMicros", .double)
        t.column("startedAt", .datetime).notNull()
        t.column("finishedAt", .datetime)
        t.uniqueKey(["searchId", "key"])
      }
    }
    migrator.registerMigration("v2: workers") { db in
      try db.alter(table: "trial") { t in
        t.add(column: "worker", .text)
        t.add(column: "attempts", .integer)
        t.add(column: "failure", .text)
      }
    }
    return migrator
  }

  private func access<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as DatabaseError {
      throw SearchError.ledger("\(path): \(error.message ?? error.description)")
    }
  }

  public func insert(_ search: SearchRecord) throws {
    try access { try queue.write { db in try search.insert(db) } }
  }

  public func search(_ id: String) throws -> SearchRecord? {
    try access { try queue.read { db in try SearchRecord.fetchOne(db, key: id) } }
  }

  /// Every search, newest first.
  public func searches() throws -> [SearchRecord] {
    try access { try queue.read { db in try SearchRecord.order(Column("createdAt").desc).fetchAll(db) } }
  }

  public func update(_ search: SearchRecord) throws {
    var s = search
    s.updatedAt = Date()
    try access { try queue.write { db in try s.update(db) } }
  }

  /// The trials of a search in start order.
  public func trials(of searchId: String) throws -> [TrialRecord] {
    try access {
      try queue.read { db in
        try TrialRecord.filter(Column("searchId") == searchId).order(Column("number")).fetchAll(db)
      }
    }
  }

  public func trial(of searchId: String, key: String) throws -> TrialRecord? {
    try access {
      try queue.read { db in
        try TrialRecord.filter(Column("searchId") == searchId && Column("key") == key).fetchOne(db)
      }
    }
  }

  /// Records that a trial started: a new `running` row, or a crashed `running` row restarted (it
  /// keeps its number).
  @discardableResult
  public func start(_ trial: TrialRecord) throws -> TrialRecord {
    try access {
      try queue.write { db in
        if var existing = try TrialRecord.filter(Column("searchId") == trial.searchId && Column("key") == trial.key).fetchOne(db) {
          guard existing.status != .finished else {
            throw SearchError.ledger("\(path): trial \(trial.key) of search \(trial.searchId) is finished but its metrics cannot be read")
          }
          let number = existing.number, id = existing.id
          existing = trial
          existing.id = id
          existing.number = number
          existing.status = .running
          try existing.update(db)
          return existing
        }
        var row = trial
        row.status = .running
        row.number = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM trial WHERE searchId = ?",
                                      arguments: [trial.searchId]) ?? 1
        try row.insert(db)
        return row
      }
    }
  }

  /// Records where a running trial runs (its Slurm job), so a restarted controller can take it over.
  public func assign(_ trial: TrialRecord, worker: String?, attempt: Int) throws -> TrialRecord {
    try updated(trial) { row in
      row.worker = worker
      row.attempts = attempt
    }
  }

  /// Records that a trial failed for good (every attempt), or was cancelled.
  @discardableResult
  public func fail(_ trial: TrialRecord, reason: String) throws -> TrialRecord {
    try updated(trial) { row in
      row.status = .failed
      row.failure = reason
      row.finishedAt = Date()
    }
  }

  private func updated(_ trial: TrialRecord, _ change: (inout TrialRecord) -> Void) throws -> TrialRecord {
    var row = trial
    change(&row)
    try access { try queue.write { db in try row.update(db) } }
    return row
  }

  /// Records a trial's outcome (one transaction: durable once this returns).
  @discardableResult
  public func finish(_ trial: TrialRecord, outcome: TrialOutcome) throws -> TrialRecord {
    var row = trial
    row.status = .finished
    row.score = outcome.score
    row.accuracy = outcome.metrics.accuracy
    row.macroF1 = outcome.metrics.macroF1
    row.ece = outcome.metrics.expectedCalibrationError
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    row.metrics = String(decoding: try encoder.encode(outcome.metrics), as: UTF8.self)
    row.cpuSeconds = outcome.cpuSeconds
    row.wallSeconds = outcome.wallSeconds
    row.augmentMicros = outcome.augmentMicrosPerImage
    row.finishedAt = Date()
    try access { try queue.write { db in try row.update(db) } }
    return row
  }
}
