/// The trade-off between M_val and what the augmentation costs the CPU per image.
public enum ParetoFront {
  public struct Point: Sendable, Codable, Hashable {
    public var key: String
    public var name: String
    /// CPU microseconds per image (policy + mixing), one thread.
    public var cost: Double
    public var score: Double
  }

  /// The points no other point beats on both axes (lower cost and higher score, one strictly),
  /// sorted by cost.
  public static func front(_ points: [Point]) -> [Point] {
    let sorted = points.sorted { ($0.cost, -$0.score, $0.key) < ($1.cost, -$1.score, $1.key) }
    var front: [Point] = []
    var bestScore = -Double.infinity
    for p in sorted where p.score > bestScore {
      front.append(p)
      bestScore = p.score
    }
    return front
  }
}
