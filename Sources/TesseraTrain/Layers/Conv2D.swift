/// 2-D convolution as im2col + one `cblas_sgemm` per chunk of samples.
///
/// Weights are `[Cout, Cin, kh, kw]`. In the channel-major layout the GEMM
/// `W[Cout, Cin·kh·kw] · cols[Cin·kh·kw, N·Ho·Wo]` writes the output in place, with no transpose;
/// a 1×1 stride-1 convolution needs no im2col at all because its input already is `cols`.
public final class Conv2D: Layer {
  public let inChannels: Int
  public let outChannels: Int
  public let kernelSize: Int
  public let stride: Int
  public let padding: Int
  public let hasBias: Bool
  /// Applies ReLU to the output in the same pass as the bias, and masks the incoming gradient
  /// in the same pass as the bias gradient: the same function as a separate `ReLU` layer
  /// without two extra sweeps over the largest activations of a small CNN.
  public let fusedReLU: Bool
  public var computesInputGradient = true
  /// Upper bound on im2col floats per GEMM: chunks of samples keep the unfolded columns in
  /// cache between the unfold and the GEMM that reads them. Whole batch when it fits.
  public var columnBudget = 1 << 20

  let weightOffset: Int
  let biasOffset: Int?
  private let cols = FloatBuffer()
  private let dcols = FloatBuffer()
  private let output = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private let maskedGradient = FloatBuffer()
  private var input: Activation?

  public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
              bias: Bool = true, relu: Bool = false, layout: inout ParameterLayout, name: String = "conv") {
    precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0)
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    self.hasBias = bias
    self.fusedReLU = relu
    let fanIn = inChannels * kernelSize * kernelSize
    weightOffset = layout.add("\(name).weight", count: outChannels * fanIn,
                              initializer: .heNormal(fanIn: fanIn), decays: true)
    biasOffset = bias ? layout.add("\(name).bias", count: outChannels, initializer: .constant(0), decays: false) : nil
  }

  public var name: String {
    "conv\(kernelSize)x\(kernelSize)/\(stride)(\(inChannels)→\(outChannels))" + (fusedReLU ? "+relu" : "")
  }

  private var isPointwise: Bool { kernelSize == 1 && stride == 1 && padding == 0 }

  private func geometry(_ s: ActivationShape) -> WindowGeometry {
    WindowGeometry(inH: s.h, inW: s.w, kernelH: kernelSize, kernelW: kernelSize, stride: stride, padding: padding)
  }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    guard input.c == inChannels else {
      throw ShapeError("\(name): expected \(inChannels) input channels, got \(input.c)")
    }
    let g = geometry(input)
    guard g.outH > 0, g.outW > 0, input.h + 2 * padding >= kernelSize, input.w + 2 * padding >= kernelSize else {
      throw ShapeError("\(name): input \(input.h)x\(input.w) is smaller than the kernel")
    }
    return ActivationShape(n: input.n, c: outChannels, h: g.outH, w: g.outW)
  }

  /// Samples per GEMM so that one chunk of columns stays within `columnBudget`.
  private func chunkSize(_ s: ActivationShape, _ g: WindowGeometry) -> Int {
    let perSample = inChannels * kernelSize * kernelSize * g.outH * g.outW
    return max(1, min(s.n, columnBudget / max(perSample, 1)))
  }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    let s = x.shape
    let g = geometry(s)
    let outPlane = g.outH * g.outW
    let ld = s.n * outPlane
    let rows = inChannels * kernelSize * kernelSize
    let y = output.reserve(outChannels * ld)
    let weights = context.parameters + weightOffset
    input = x
    if isPointwise {
      BLAS.gemm(transA: false, transB: false, m: outChannels, n: ld, k: rows, a: weights, lda: rows,
                b: x.data, ldb: ld, beta: 0, c: y, ldc: ld)
    } else {
      let colsBase = cols.reserve(rows * ld)
      let chunk = chunkSize(s, g)
      var n0 = 0
      while n0 < s.n {
        let n1 = min(s.n, n0 + chunk)
        let offset = n0 * outPlane
        im2col(x.data, channels: inChannels, batch: s.n, geometry: g, samples: n0..<n1,
               into: colsBase + offset, ld: ld)
        BLAS.gemm(transA: false, transB: false, m: outChannels, n: (n1 - n0) * outPlane, k: rows,
                  a: weights, lda: rows, b: colsBase + offset, ldb: ld, beta: 0, c: y + offset, ldc: ld)
        n0 = n1
      }
    }
    if hasBias || fusedReLU {
      for co in 0..<outChannels {
        let b = biasOffset.map { context.parameters[$0 + co] } ?? 0
        let row = y + co * ld
        if fusedReLU {
          for i in 0..<ld { row[i] = max(row[i] + b, 0) }
        } else {
          for i in 0..<ld { row[i] += b }
        }
      }
    }
    return Activation(shape: ActivationShape(n: s.n, c: outChannels, h: g.outH, w: g.outW), data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    guard let x = input else { preconditionFailure("\(name): backward before forward") }
    let s = x.shape
    let geo = geometry(s)
    let outPlane = geo.outH * geo.outW
    let ld = s.n * outPlane
    let rows = inChannels * kernelSize * kernelSize
    let weights = context.parameters + weightOffset
    let dW = context.gradients + weightOffset
    let dx = inputGradient.reserve(s.count)

    // The gradient at the GEMM output: dy, masked by the fused ReLU; its row sums are the bias gradient.
    var g = dy.data
    if fusedReLU {
      g = maskedGradient.reserve(outChannels * ld)
      let y = output.pointer
      for co in 0..<outChannels {
        let src = dy.data + co * ld, dst = g + co * ld, out = y + co * ld
        var sum: Float = 0
        for i in 0..<ld {
          let v = out[i] > 0 ? src[i] : 0
          dst[i] = v
          sum += v
        }
        if let biasOffset { context.gradients[biasOffset + co] += sum }
      }
    } else if let biasOffset {
      for co in 0..<outChannels {
        let row = dy.data + co * ld
        var sum: Float = 0
        for i in 0..<ld { sum += row[i] }
        context.gradients[biasOffset + co] += sum
      }
    }
    if isPointwise {
      BLAS.gemm(transA: false, transB: true, m: outChannels, n: rows, k: ld, a: g, lda: ld,
                b: x.data, ldb: ld, beta: 1, c: dW, ldc: rows)
      if computesInputGradient {
        BLAS.gemm(transA: true, transB: false, m: rows, n: ld, k: outChannels, a: weights, lda: rows,
                  b: g, ldb: ld, beta: 0, c: dx, ldc: ld)
      }
      return Activation(shape: s, data: dx)
    }
    let colsBase = cols.pointer
    let chunk = chunkSize(s, geo)
    if computesInputGradient { dx.update(repeating: 0, count: s.count) }
    let scratch = computesInputGradient ? dcols.reserve(rows * chunk * outPlane) : dcols.pointer
    var n0 = 0
    while n0 < s.n {
      let n1 = min(s.n, n0 + chunk)
      let offset = n0 * outPlane
      let width = (n1 - n0) * outPlane
      BLAS.gemm(transA: false, transB: true, m: outChannels, n: rows, k: width, a: g + offset, lda: ld,
                b: colsBase + offset, ldb: ld, beta: 1, c: dW, ldc: rows)
      if computesInputGradient {
        BLAS.gemm(transA: true, transB: false, m: rows, n: width, k: outChannels, a: weights, lda: rows,
                  b: g + offset, ldb: ld, beta: 0, c: scratch, ldc: width)
        col2im(scratch, ld: width, channels: inChannels, batch: s.n, geometry: geo, samples: n0..<n1, into: dx)
      }
      n0 = n1
    }
    return Activation(shape: s, data: dx)
  }

  public func forwardFLOPs(for input: ActivationShape) -> Double {
    let g = geometry(input)
    return 2 * Double(input.n * g.outH * g.outW) * Double(outChannels * inChannels * kernelSize * kernelSize)
  }

  public func backwardFLOPs(for input: ActivationShape) -> Double {
    forwardFLOPs(for: input) * (computesInputGradient ? 2 : 1)
  }
}
