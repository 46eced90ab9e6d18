/// `relu(main(x) + shortcut(x))` (He et al., 2016). The shortcut is the identity, or a
/// projection (1×1 conv + batch norm) when the block changes stride or width.
public final class ResidualBlock: Layer, LayerContainer {
  public let main: Sequential
  public let shortcut: Sequential?
  public var computesInputGradient = true
  private let output = FloatBuffer()
  private let sumGradient = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var inputShape = ActivationShape(n: 0, c: 0)

  public init(main: Sequential, shortcut: Sequential?) {
    self.main = main
    self.shortcut = shortcut
  }

  /// The basic block of CIFAR ResNets: conv3x3(stride)–BN–ReLU–conv3x3–BN, plus shortcut.
  public convenience init(inChannels: Int, outChannels: Int, stride: Int, layout: inout ParameterLayout,
                          name: String) {
    let main = Sequential([
      Conv2D(inChannels: inChannels, outChannels: outChannels, kernelSize: 3, stride: stride, padding: 1,
             bias: false, initialization: .he, layout: &layout, name: "\(name).conv1"),
      BatchNorm(channels: outChannels, layout: &layout, name: "\(name).bn1"),
      ReLU(),
      Conv2D(inChannels: outChannels, outChannels: outChannels, kernelSize: 3, stride: 1, padding: 1,
             bias: false, initialization: .he, layout: &layout, name: "\(name).conv2"),
      BatchNorm(channels: outChannels, layout: &layout, name: "\(name).bn2"),
    ])
    var shortcut: Sequential?
    if stride != 1 || inChannels != outChannels {
      shortcut = Sequential([
        Conv2D(inChannels: inChannels, outChannels: outChannels, kernelSize: 1, stride: stride, padding: 0,
               bias: false, initialization: .he, layout: &layout, name: "\(name).shortcut.conv"),
        BatchNorm(channels: outChannels, layout: &layout, name: "\(name).shortcut.bn"),
      ])
    }
    self.init(main: main, shortcut: shortcut)
  }

  public var name: String { "residual" }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    let a = try main.outputShape(for: input)
    let b = try shortcut?.outputShape(for: input) ?? input
    guard a == b else { throw ShapeError("residual block: main path gives \(a) but shortcut gives \(b)") }
    return a
  }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    inputShape = x.shape
    let a = main.forward(x, context)
    let b = shortcut?.forward(x, context) ?? x
    let count = a.shape.count
    let y = output.reserve(count)
    for i in 0..<count { y[i] = max(a.data[i] + b.data[i], 0) }
    return Activation(shape: a.shape, data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    let count = dy.shape.count
    let ds = sumGradient.reserve(count), y = output.pointer
    for i in 0..<count { ds[i] = y[i] > 0 ? dy.data[i] : 0 }
    let sum = Activation(shape: dy.shape, data: ds)
    let dMain = main.backward(sum, context)
    let dShort = shortcut?.backward(sum, context) ?? sum
    let n = inputShape.count
    let dx = inputGradient.reserve(n)
    for i in 0..<n { dx[i] = dMain.data[i] + dShort.data[i] }
    return Activation(shape: inputShape, data: dx)
  }

  public func forwardFLOPs(for input: ActivationShape) -> Double {
    main.forwardFLOPs(for: input) + (shortcut?.forwardFLOPs(for: input) ?? 0)
  }

  public func backwardFLOPs(for input: ActivationShape) -> Double {
    main.backwardFLOPs(for: input) + (shortcut?.backwardFLOPs(for: input) ?? 0)
  }
}
