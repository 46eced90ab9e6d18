/// What max and average pooling share: square windows without padding, and the output shape they give.
protocol SquarePooling: Layer {
  var kernelSize: Int { get }
  var stride: Int { get }
}

extension SquarePooling {
  func geometry(_ s: ActivationShape) -> WindowGeometry {
    WindowGeometry(inH: s.h, inW: s.w, kernelH: kernelSize, kernelW: kernelSize, stride: stride, padding: 0)
  }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    guard input.h >= kernelSize, input.w >= kernelSize else {
      throw ShapeError("\(name): input \(input.h)x\(input.w) is smaller than the window")
    }
    let g = geometry(input)
    return ActivationShape(n: input.n, c: input.c, h: g.outH, w: g.outW)
  }
}
