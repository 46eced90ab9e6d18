/// Where a policy came from: the published table it was transcribed from, or the search that produced it.
public struct Provenance: Sendable, Hashable, Codable {
  /// Paper, repository file or URL the policy was transcribed from.
  public var source: String?
  /// The pinned dataset version (commit or tag) the search ran on.
  public var datasetVersion: String?
  /// The search run's id in the ledger.
  public var searchId: String?
  /// The validation metric the search maximised (e.g. "accuracy", "macro-f1").
  public var metric: String?
  /// That metric's value for this policy.
  public var value: Double?

  public init(source: String? = nil, datasetVersion: String? = nil, searchId: String? = nil,
              metric: String? = nil, value: Double? = nil) {
    self.source = source
    self.datasetVersion = datasetVersion
    self.searchId = searchId
    self.metric = metric
    self.value = value
  }

  private enum CodingKeys: String, CodingKey, CaseIterable { case source, datasetVersion, searchId, metric, value }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownFields(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    source = try c.decodeIfPresent(String.self, forKey: .source)
    datasetVersion = try c.decodeIfPresent(String.self, forKey: .datasetVersion)
    searchId = try c.decodeIfPresent(String.self, forKey: .searchId)
    metric = try c.decodeIfPresent(String.self, forKey: .metric)
    value = try c.decodeIfPresent(Double.self, forKey: .value)
  }
}
