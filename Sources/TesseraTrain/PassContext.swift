/// What a layer needs besides its input during one forward or backward pass of one shard.
///
/// Built by the replica that runs the shard; the pointers are valid for the duration of the
/// pass only. Parameter values and running statistics are shared by all shards and read-only
/// while a pass runs; gradients and batch statistics belong to this shard alone.
public struct PassContext {
  /// All parameter values, laid out by the model's `ParameterLayout`.
  public var parameters: UnsafePointer<Float>
  /// This shard's gradients, same layout; layers accumulate (`+=`) into them.
  public var gradients: UnsafeMutablePointer<Float>
  /// Running statistics (batch norm mean/variance), laid out by `ParameterLayout.stateCount`.
  public var state: UnsafePointer<Float>
  /// This shard's batch statistics, same layout as `state`; written by training passes.
  public var batchStatistics: UnsafeMutablePointer<Float>
  public var training: Bool
  /// Seeds stochastic layers (dropout) for this step and shard.
  public var seed: UInt64
  /// Optional per-layer timing; nil unless profiling.
  public var profiler: LayerProfiler?

  public init(parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
              state: UnsafePointer<Float>, batchStatistics: UnsafeMutablePointer<Float>,
              training: Bool, seed: UInt64, profiler: LayerProfiler? = nil) {
    self.parameters = parameters
    self.gradients = gradients
    self.state = state
    self.batchStatistics = batchStatistics
    self.training = training
    self.seed = seed
    self.profiler = profiler
  }
}
