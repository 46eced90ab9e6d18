import TesseraImage

/// MixUp / CutMix over a batch, with timm's semantics (`timm/data/mixup.py`, mode "batch"):
///
/// - with probability `probability` the batch is mixed at all; when both α are positive, CutMix is chosen with
///   probability `switchProbability`, else MixUp; λ ~ Beta(α, α) of the chosen op (one λ per batch);
/// - sample i is mixed with its partner: B−1−i (`.flip`, timm) or i−1 (`.roll`, torchvision);
/// - MixUp: x = λ·x + (1−λ)·x_partner. CutMix: a box of int(H·√(1−λ)) × int(W·√(1−λ)) around a uniform centre,
///   clipped to the image, is copied from the partner, and λ is corrected to 1 − box area / image area;
/// - targets: one-hot with label smoothing s (off = s/C, on = 1 − s + off), then y = λ·y + (1−λ)·y_partner.
///   Smoothing applies even when the batch is not mixed, as in timm.
public struct BatchMixer: Sendable, Hashable, Codable {
  public enum PartnerRule: String, Sendable, Hashable, Codable {
    /// Sample i pairs with B−1−i (timm).
    case flip
    /// Sample i pairs with i−1, the first with the last (torchvision v2).
    case roll
  }

  public var mixUpAlpha: Double
  public var cutMixAlpha: Double
  public var probability: Double
  public var switchProbability: Double
  public var labelSmoothing: Double
  public var correctLambda: Bool
  public var partner: PartnerRule

  public init(mixUpAlpha: Double = 0.8, cutMixAlpha: Double = 1.0, probability: Double = 1,
              switchProbability: Double = 0.5, labelSmoothing: Double = 0.1, correctLambda: Bool = true,
              partner: PartnerRule = .flip) {
    self.mixUpAlpha = mixUpAlpha
    self.cutMixAlpha = cutMixAlpha
    self.probability = probability
    self.switchProbability = switchProbability
    self.labelSmoothing = labelSmoothing
    self.correctLambda = correctLambda
    self.partner = partner
  }

  /// Draws this batch's mixing parameters (`_params_per_batch` + `rand_bbox`). Pure sampling: no pixels.
  public func sample(width: Int, height: Int, using rng: inout some RandomNumberGenerator) -> AppliedMix {
    guard rng.nextBool(probability: probability) else { return .none }
    let useCutMix: Bool
    let alpha: Double
    if mixUpAlpha > 0 && cutMixAlpha > 0 {
      useCutMix = rng.nextBool(probability: switchProbability)
      alpha = useCutMix ? cutMixAlpha : mixUpAlpha
    } else if mixUpAlpha > 0 {
      useCutMix = false
      alpha = mixUpAlpha
    } else if cutMixAlpha > 0 {
      useCutMix = true
      alpha = cutMixAlpha
    } else {
      return .none
    }
    let lambda = rng.nextBeta(alpha, alpha)
    if lambda == 1 { return .none }
    guard useCutMix else { return .mixUp(lambda: lambda) }
    let ratio = (1 - lambda).squareRoot()
    let cutH = Int(Double(height) * ratio), cutW = Int(Double(width) * ratio)
    let cy = rng.nextInt(below: max(height, 1)), cx = rng.nextInt(below: max(width, 1))
    let y0 = min(max(cy - cutH / 2, 0), height), y1 = min(max(cy + cutH / 2, 0), height)
    let x0 = min(max(cx - cutW / 2, 0), width), x1 = min(max(cx + cutW / 2, 0), width)
    let box = Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    let effective = correctLambda ? 1 - Double(box.area) / Double(max(width * height, 1)) : lambda
    return .cutMix(lambda: effective, box: box)
  }

  /// Index of sample i's partner in a batch of `count`.
  public func partnerIndex(of i: Int, count: Int) -> Int {
    switch partner {
    case .flip: return count - 1 - i
    case .roll: return (i - 1 + count) % count
    }
  }

  /// Samples and applies mixing to a batch with integer class labels.
  public func mix(_ images: [Image], labels: [Int], classCount: Int,
                  using rng: inout some RandomNumberGenerator) -> MixedBatch {
    precondition(images.count == labels.count, "one label per image")
    precondition(labels.allSatisfy { (0..<classCount).contains($0) }, "labels must lie in 0..<classCount")
    let offValue = labelSmoothing / Double(classCount)
    let off = Float(offValue), on = Float(1 - labelSmoothing + offValue)
    let soft = labels.map { label -> [Float] in
      var row = [Float](repeating: off, count: classCount)
      row[label] = on
      return row
    }
    return mix(images, softLabels: soft, using: &rng)
  }

  /// Samples and applies mixing to a batch with soft label rows (used as given: no extra smoothing).
  public func mix(_ images: [Image], softLabels: [[Float]], using rng: inout some RandomNumberGenerator) -> MixedBatch {
    let first = images.first
    let applied = sample(width: first?.width ?? 0, height: first?.height ?? 0, using: &rng)
    return apply(applied, to: images, softLabels: softLabels)
  }

  /// Applies recorded mixing parameters (deterministic; the partner rule comes from `self`).
  public func apply(_ applied: AppliedMix, to images: [Image], softLabels: [[Float]]) -> MixedBatch {
    precondition(images.count == softLabels.count, "one label row per image")
    let n = images.count
    guard n > 0, applied != .none else { return MixedBatch(images: images, labels: softLabels, applied: .none) }
    for image in images {
      precondition(image.width == images[0].width && image.height == images[0].height
                     && image.channels == images[0].channels, "a mixed batch needs images of one shape")
    }
    let lambda = Float(applied.lambda)
    var outImages: [Image] = []
    var outLabels: [[Float]] = []
    outImages.reserveCapacity(n)
    outLabels.reserveCapacity(n)
    for i in 0..<n {
      let j = partnerIndex(of: i, count: n)
      switch applied {
      case let .mixUp(l): outImages.append(Mixing.mixUp(images[i], images[j], lambda: l))
      case let .cutMix(_, box): outImages.append(Mixing.paste(images[i], from: images[j], box: box))
      case .none: outImages.append(images[i])
      }
      outLabels.append(zip(softLabels[i], softLabels[j]).map { lambda * $0 + (1 - lambda) * $1 })
    }
    return MixedBatch(images: outImages, labels: outLabels, applied: applied)
  }
}

