/// A named architecture and the data it is built for: enough to rebuild the same layers and
/// parameter layout anywhere (a checkpoint stores it).
public struct ModelSpec: Sendable, Codable, Hashable {
  /// One of `ModelSpec.names`.
  public var name: String
  public var channels: Int
  public var height: Int
  public var width: Int
  public var classes: Int

  public init(name: String, channels: Int, height: Int, width: Int, classes: Int) {
    self.name = name
    self.channels = channels
    self.height = height
    self.width = width
    self.classes = classes
  }

  /// The architectures `build` knows.
  public static let names = ["mlp", "cnn-s", "resnet8", "resnet20"]

  public var inputShape: ActivationShape { ActivationShape(n: 1, c: channels, h: height, w: width) }

  /// conv3x3 (padding 1) + ReLU + 2×2 max-pool: one fused layer when the size is even.
  static func convBlock(_ cin: Int, _ cout: Int, height: Int, width: Int, layout: inout ParameterLayout,
                        name: String) -> [any Layer] {
    if height % 2 == 0 && width % 2 == 0 {
      return [Conv2D(inChannels: cin, outChannels: cout, kernelSize: 3, padding: 1, fused: .reluMaxPool2,
                     layout: &layout, name: name)]
    }
    return [Conv2D(inChannels: cin, outChannels: cout, kernelSize: 3, padding: 1, fused: .relu, layout: &layout,
                   name: name), MaxPool2D(kernelSize: 2)]
  }

  /// Builds the layers, registering their parameters in `layout` in a fixed order.
  ///
  /// - `mlp`: flatten, fc 256, ReLU, fc 128, ReLU, fc classes.
  /// - `cnn-s`: conv3x3 32, ReLU, maxpool 2, conv3x3 64, ReLU, maxpool 2, fc 128, ReLU, fc classes.
  /// - `resnet8`, `resnet20`: the CIFAR ResNets of He et al. (2016): conv3x3 16 + BN + ReLU, three
  ///   stages of 1 or 3 basic blocks at 16, 32, 64 channels (stride 2 between stages, projection
  ///   shortcuts), global average pool, fc classes.
  public func build(layout: inout ParameterLayout) throws -> Sequential {
    guard channels > 0, height > 0, width > 0 else {
      throw ShapeError("model \(name): input size \(channels)x\(height)x\(width) is empty")
    }
    guard classes >= 2 else { throw ShapeError("model \(name): needs at least 2 classes, got \(classes)") }
    let layers: [any Layer]
    switch name {
    case "mlp":
      layers = [
        Flatten(),
        Linear(inFeatures: channels * height * width, outFeatures: 256, layout: &layout, name: "fc1"), ReLU(),
        Linear(inFeatures: 256, outFeatures: 128, layout: &layout, name: "fc2"), ReLU(),
        Linear(inFeatures: 128, outFeatures: classes, layout: &layout, name: "fc3"),
      ]
    case "cnn-s":
      let h = height / 4, w = width / 4
      guard h > 0, w > 0 else { throw ShapeError("model cnn-s: input \(height)x\(width) is smaller than 4x4") }
      // conv + ReLU + 2x2 max-pool fused into one layer each (the same function; the
      // full-resolution maps never leave the cache). Odd sizes take separate layers.
      let conv1 = Self.convBlock(channels, 32, height: height, width: width, layout: &layout, name: "conv1")
      let conv2 = Self.convBlock(32, 64, height: height / 2, width: width / 2, layout: &layout, name: "conv2")
      layers = conv1 + conv2 + [
        Flatten(),
        Linear(inFeatures: 64 * h * w, outFeatures: 128, layout: &layout, name: "fc1"), ReLU(),
        Linear(inFeatures: 128, outFeatures: classes, layout: &layout, name: "fc2"),
      ]
    case "resnet8", "resnet20":
      let blocks = name == "resnet8" ? 1 : 3
      var list: [any Layer] = [
        Conv2D(inChannels: channels, outChannels: 16, kernelSize: 3, padding: 1, bias: false, initialization: .he,
               layout: &layout, name: "stem.conv"),
        BatchNorm(channels: 16, layout: &layout, name: "stem.bn"), ReLU(),
      ]
      var width = 16
      for (stage, planes) in [16, 32, 64].enumerated() {
        for b in 0..<blocks {
          let stride = stage > 0 && b == 0 ? 2 : 1
          list.append(ResidualBlock(inChannels: width, outChannels: planes, stride: stride, layout: &layout,
                                    name: "stage\(stage + 1).block\(b + 1)"))
          width = planes
        }
      }
      list += [GlobalAvgPool(), Linear(inFeatures: 64, outFeatures: classes, layout: &layout, name: "fc")]
      layers = list
    default:
      throw ShapeError("unknown model '\(name)'; known: \(ModelSpec.names.joined(separator: ", "))")
    }
    let network = Sequential(layers)
    network.computesInputGradient = false
    _ = try network.outputShape(for: inputShape)
    return network
  }
}
