/// One differentiable stage of a network.
///
/// A layer is a reference type because it owns reusable buffers (its output, its input
/// gradient, im2col scratch) and remembers what its backward pass needs. It never owns its
/// parameters: they live in one flat array described by a `ParameterLayout`, so the optimizer,
/// gradient reduction and checkpoints each work on one contiguous run of floats.
/// Each shard of a batch runs its own instances, so a layer is used by one thread at a time.
public protocol Layer: AnyObject {
  /// A short name for profiles and errors, e.g. "conv3x3(1→32)".
  var name: String { get }
  /// The shape this layer produces for an input shape; throws if the input does not fit.
  func outputShape(for input: ActivationShape) throws -> ActivationShape
  /// Computes the output; the result stays valid until this layer's next `forward`.
  func forward(_ x: Activation, _ context: PassContext) -> Activation
  /// Given the gradient of the loss with respect to the last output, accumulates parameter
  /// gradients into `context.gradients` and returns the gradient with respect to the input
  /// (unspecified contents when `computesInputGradient` is false).
  func backward(_ dy: Activation, _ context: PassContext) -> Activation
  /// False for a network's first layer, whose input gradient nobody needs.
  var computesInputGradient: Bool { get set }
  /// Floating-point operations (2 per multiply-add) of one forward pass over `input`, counting
  /// only the GEMM work, for throughput reports. Zero for layers without GEMMs.
  func forwardFLOPs(for input: ActivationShape) -> Double
  /// The same for one backward pass (weight gradient, plus input gradient when computed).
  func backwardFLOPs(for input: ActivationShape) -> Double
}

extension Layer {
  public func forwardFLOPs(for input: ActivationShape) -> Double { 0 }
  public func backwardFLOPs(for input: ActivationShape) -> Double { 0 }
}

/// The error thrown when a model is built or fed with sizes that do not fit.
public struct ShapeError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// A layer made of other layers: profiles record its children, not it.
public protocol LayerContainer {}
