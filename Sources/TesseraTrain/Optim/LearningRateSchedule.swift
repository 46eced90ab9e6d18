import Foundation

/// The learning rate as a function of the optimizer step: an optional linear warm-up from
/// `warmupStart · base` to `base`, then constant, cosine to `minimum`, or a step decay.
///
/// Steps, not epochs, so that the rate changes smoothly within an epoch and resuming mid-way
/// reproduces it; epoch-based step decay counts epochs as `stepsPerEpoch` steps.
public struct LearningRateSchedule: Sendable, Codable, Equatable {
  public enum Shape: Sendable, Codable, Equatable {
    case constant
    /// Half a cosine from the base rate down to `minimum` at the last step.
    case cosine(minimum: Float)
    /// Multiply by `factor` every `everyEpochs` epochs.
    case step(everyEpochs: Int, factor: Float)
  }

  public var base: Float
  public var shape: Shape
  public var warmupSteps: Int
  /// Fraction of the base rate the warm-up starts from.
  public var warmupStart: Float
  public var totalSteps: Int
  public var stepsPerEpoch: Int

  public init(base: Float, shape: Shape, totalSteps: Int, stepsPerEpoch: Int, warmupSteps: Int = 0,
              warmupStart: Float = 0) {
    precondition(base > 0 && totalSteps > 0 && stepsPerEpoch > 0 && warmupSteps >= 0)
    self.base = base
    self.shape = shape
    self.totalSteps = totalSteps
    self.stepsPerEpoch = stepsPerEpoch
    self.warmupSteps = warmupSteps
    self.warmupStart = warmupStart
  }

  /// The rate for step `step` (0-based).
  public func rate(at step: Int) -> Float {
    if step < warmupSteps {
      let t = Float(step + 1) / Float(warmupSteps)
      return base * (warmupStart + (1 - warmupStart) * t)
    }
    switch shape {
    case .constant:
      return base
    case .cosine(let minimum):
      let span = max(totalSteps - warmupSteps, 1)
      let t = Double(min(step - warmupSteps, span)) / Double(span)
      return minimum + (base - minimum) * Float((1 + cos(Double.pi * t)) / 2)
    case .step(let every, let factor):
      let epoch = step / stepsPerEpoch
      return base * Float(pow(Double(factor), Double(epoch / max(every, 1))))
    }
  }
}
