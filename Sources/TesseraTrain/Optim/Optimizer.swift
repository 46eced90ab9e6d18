/// Updates parameters from gradients, one flat array at a time (tinygrad's `_step`).
///
/// The layout says which runs of the array are weights that decay and which are biases or
/// norm parameters that do not.
public protocol Optimizer: Sendable, Codable {
  mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                     layout: ParameterLayout, learningRate: Float)
}
