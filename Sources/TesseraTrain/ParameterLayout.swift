import TesseraAugment

/// Where every parameter and running statistic of a model lives in its flat arrays, and how
/// each is initialised.
///
/// Layers register their tensors while the model is built; building the same architecture
/// again yields the same offsets, which is how several shard replicas share one set of values.
public struct ParameterLayout: Sendable, Codable, Equatable {
  /// How a parameter tensor starts out.
  public enum Initializer: Sendable, Codable, Equatable {
    /// Normal with standard deviation sqrt(2 / fanIn) (He et al., 2015), for weights feeding a ReLU.
    case heNormal(fanIn: Int)
    /// Uniform in ±1/sqrt(fanIn): PyTorch's default for conv and linear weights
    /// (`kaiming_uniform_(a=√5)`) and biases.
    case uniform(fanIn: Int)
    case constant(Float)
  }

  /// How a conv or linear layer initialises its weights and bias.
  public enum Scheme: String, Sendable, Codable {
    /// PyTorch's `nn.Conv2d` / `nn.Linear` default: weights and bias uniform in ±1/sqrt(fanIn).
    case pytorchDefault
    /// He normal weights (std sqrt(2/fanIn)) and zero bias: for deep ReLU stacks with batch norm.
    case he

    func weight(fanIn: Int) -> Initializer { self == .he ? .heNormal(fanIn: fanIn) : .uniform(fanIn: fanIn) }
    func bias(fanIn: Int) -> Initializer { self == .he ? .constant(0) : .uniform(fanIn: fanIn) }
  }

  public struct Entry: Sendable, Codable, Equatable {
    public var name: String
    public var offset: Int
    public var count: Int
    public var initializer: Initializer
    /// Whether weight decay applies (weights of conv and linear layers, not biases or norms).
    public var decays: Bool
  }

  public struct StateEntry: Sendable, Codable, Equatable {
    public var name: String
    public var offset: Int
    public var count: Int
    public var initialValue: Float
  }

  public private(set) var entries: [Entry] = []
  public private(set) var stateEntries: [StateEntry] = []
  public private(set) var count = 0
  public private(set) var stateCount = 0
  /// Random streams handed out to stochastic layers, in build order.
  public private(set) var streamCount: UInt64 = 0

  public init() {}

  /// Reserves `count` parameters and returns their offset.
  public mutating func add(_ name: String, count: Int, initializer: Initializer, decays: Bool) -> Int {
    let offset = self.count
    entries.append(Entry(name: name, offset: offset, count: count, initializer: initializer, decays: decays))
    self.count += count
    return offset
  }

  /// Reserves `count` running-statistic slots (not trained, but checkpointed) and returns their offset.
  public mutating func addState(_ name: String, count: Int, initialValue: Float) -> Int {
    let offset = stateCount
    stateEntries.append(StateEntry(name: name, offset: offset, count: count, initialValue: initialValue))
    stateCount += count
    return offset
  }

  /// A random-stream id for a stochastic layer (dropout), stable for a given architecture.
  public mutating func nextStreamID() -> UInt64 {
    streamCount += 1
    return streamCount
  }

  /// Fresh parameter values drawn from `seed`: the same seed gives the same bits on any machine.
  public func initialValues(seed: UInt64) -> [Float] {
    var values = [Float](repeating: 0, count: count)
    for (i, entry) in entries.enumerated() {
      var rng = SplitMix64(seed: seed, index: UInt64(i))
      switch entry.initializer {
      case .constant(let v):
        for j in 0..<entry.count { values[entry.offset + j] = v }
      case .uniform(let fanIn):
        let bound = 1 / Float(fanIn).squareRoot()
        for j in 0..<entry.count { values[entry.offset + j] = (2 * rng.nextUnitFloat() - 1) * bound }
      case .heNormal(let fanIn):
        let std = (2 / Float(fanIn)).squareRoot()
        for j in 0..<entry.count { values[entry.offset + j] = Float(rng.nextStandardNormal()) * std }
      }
    }
    return values
  }

  public func initialState() -> [Float] {
    var values = [Float](repeating: 0, count: stateCount)
    for entry in stateEntries { for j in 0..<entry.count { values[entry.offset + j] = entry.initialValue } }
    return values
  }
}
