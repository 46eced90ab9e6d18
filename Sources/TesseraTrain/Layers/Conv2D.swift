/// 2-D convolution as im2col + `cblas_sgemm`, a chunk of samples per GEMM, with an optional
/// fused ReLU or ReLU + 2×2 max-pool.
///
/// Weights are `[Cout, Cin, kh, kw]`. In the channel-major layout the GEMM
/// `W[Cout, Cin·kh·kw] · cols[Cin·kh·kw, n·Ho·Wo]` writes output channels as rows, with no
/// transpose; a 1×1 stride-1 convolution needs no im2col at all because its input already is
/// `cols`.
///
/// Why chunks and fusion: for a small CNN the arithmetic is cheap next to moving the big
/// intermediate maps through memory. Each chunk's unfolded columns and GEMM output stay in the
/// core's cache from the unfold through the GEMM to the epilogue (bias, ReLU, pooling); the
/// backward pass unfolds the chunk again rather than keeping the whole batch's columns, which
/// would be written once and read back from memory. With `.reluMaxPool2` the full-resolution
/// map is never written at all: only the pooled output and a 2-bit winner per window.
public final class Conv2D: Layer {
  /// What follows the convolution inside the layer.
  public enum Fused: String, Sendable, Codable {
    case none
    /// `max(x, 0)`.
    case relu
    /// ReLU then 2×2 max-pool with stride 2 (computed as pool then ReLU, which is the same
    /// function, on a quarter of the values). Needs an even output size.
    case reluMaxPool2
  }

  public let inChannels: Int
  public let outChannels: Int
  public let kernelSize: Int
  public let stride: Int
  public let padding: Int
  public let hasBias: Bool
  public let fused: Fused
  public var computesInputGradient = true
  /// Upper bound on the floats of one chunk's working set (unfolded columns plus, when pooling,
  /// the full-resolution output): 1 Mi floats, 4 MiB, about what one core's L2 and its share of
  /// L3 keep. Bigger chunks mean bigger, more efficient GEMMs.
  public var chunkBudget = 1 << 20
  /// Upper bound on the full-resolution output of one chunk when pooling is fused and the layer
  /// has fewer unfolded rows than output channels (`Cin·k·k < Cout`, e.g. a first layer on grey
  /// images): such a layer is bound by moving its output, not by the GEMM, so its chunk's output,
  /// output gradient and columns are kept within a 1 MiB L2. 64 Ki floats (256 KiB). Measured on
  /// cnn-s's first layer (1→32, 28×28, 64 samples): 43–46 GFLOP/s with 2-sample chunks, 21–29 with
  /// 5 or more. Layers with deep columns (its second layer, K = 288) gain more from wide GEMMs.
  public var pooledOutputBudget = 1 << 16

  let weightOffset: Int
  let biasOffset: Int?
  private let cols = FloatBuffer()
  private let chunkOutput = FloatBuffer()
  private let chunkGradient = FloatBuffer()
  private let dcols = FloatBuffer()
  private let output = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var winners: [UInt8] = []
  private var input: Activation?

  public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
              bias: Bool = true, fused: Fused = .none, initialization: ParameterLayout.Scheme = .pytorchDefault,
              layout: inout ParameterLayout, name: String = "conv") {
    precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0)
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    self.hasBias = bias
    self.fused = fused
    let fanIn = inChannels * kernelSize * kernelSize
    weightOffset = layout.add("\(name).weight", count: outChannels * fanIn,
                              initializer: initialization.weight(fanIn: fanIn), decays: true)
    biasOffset = bias ? layout.add("\(name).bias", count: outChannels, initializer: initialization.bias(fanIn: fanIn),
                                   decays: false) : nil
  }

  public var name: String {
    let base = "conv\(kernelSize)x\(kernelSize)/\(stride)(\(inChannels)→\(outChannels))"
    switch fused {
    case .none: return base
    case .relu: return base + "+relu"
    case .reluMaxPool2: return base + "+relu+maxpool2"
    }
  }

  private var isPointwise: Bool { kernelSize == 1 && stride == 1 && padding == 0 }
  private var rows: Int { inChannels * kernelSize * kernelSize }

  private func geometry(_ s: ActivationShape) -> WindowGeometry {
    WindowGeometry(inH: s.h, inW: s.w, kernelH: kernelSize, kernelW: kernelSize, stride: stride, padding: padding)
  }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    guard input.c == inChannels else {
      throw ShapeError("\(name): expected \(inChannels) input channels, got \(input.c)")
    }
    let g = geometry(input)
    guard input.h + 2 * padding >= kernelSize, input.w + 2 * padding >= kernelSize, g.outH > 0, g.outW > 0 else {
      throw ShapeError("\(name): input \(input.h)x\(input.w) is smaller than the kernel")
    }
    if fused == .reluMaxPool2 {
      guard g.outH % 2 == 0, g.outW % 2 == 0 else {
        throw ShapeError("\(name): fused 2x2 pooling needs an even output size, got \(g.outH)x\(g.outW)")
      }
      return ActivationShape(n: input.n, c: outChannels, h: g.outH / 2, w: g.outW / 2)
    }
    return ActivationShape(n: input.n, c: outChannels, h: g.outH, w: g.outW)
  }

  /// Samples per GEMM so that one chunk's working set stays within `chunkBudget`.
  private func chunkSize(_ s: ActivationShape, _ g: WindowGeometry) -> Int {
    isPointwise && fused != .reluMaxPool2 ? s.n : min(s.n, chunkCapacity(g))
  }

  private func bias(_ context: PassContext, _ co: Int) -> Float {
    biasOffset.map { context.parameters[$0 + co] } ?? 0
  }

  // MARK: Forward

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    let s = x.shape
    let g = geometry(s)
    let outPlane = g.outH * g.outW
    let ld = s.n * outPlane
    let weights = context.parameters + weightOffset
    let pooling = fused == .reluMaxPool2
    let outShape = pooling ? ActivationShape(n: s.n, c: outChannels, h: g.outH / 2, w: g.outW / 2)
      : ActivationShape(n: s.n, c: outChannels, h: g.outH, w: g.outW)
    let y = output.reserve(outShape.count)
    if pooling, winners.count < outShape.count { winners = [UInt8](repeating: 0, count: outShape.count) }
    input = x
    let chunk = chunkSize(s, g)
    var n0 = 0
    while n0 < s.n {
      let n1 = min(s.n, n0 + chunk)
      let width = (n1 - n0) * outPlane
      let (b, ldb) = unfold(x, g, n0..<n1)
      if pooling {
        let z = chunkOutput.reserve(outChannels * width)
        BLAS.gemm(transA: false, transB: false, m: outChannels, n: width, k: rows, a: weights, lda: rows,
                  b: b, ldb: ldb, beta: 0, c: z, ldc: width)
        poolForward(z, width: width, g, samples: n0..<n1, batch: s.n, into: y, context)
      } else {
        let c = y + n0 * outPlane
        BLAS.gemm(transA: false, transB: false, m: outChannels, n: width, k: rows, a: weights, lda: rows,
                  b: b, ldb: ldb, beta: 0, c: c, ldc: ld)
        if hasBias || fused == .relu {
          for co in 0..<outChannels {
            let row = c + co * ld, bv = bias(context, co)
            if fused == .relu {
              for i in 0..<width { row[i] = max(row[i] + bv, 0) }
            } else {
              for i in 0..<width { row[i] += bv }
            }
          }
        }
      }
      n0 = n1
    }
    return Activation(shape: outShape, data: y)
  }

  /// The GEMM's right operand for samples `range`: the input itself for a pointwise conv,
  /// else the chunk's im2col columns.
  ///
  /// The columns buffer keeps one layout for the layer's life (rows `chunkCapacity · Ho·Wo`
  /// apart, whatever the chunk's actual width), so the entries a same-size unfold leaves at zero
  /// (windows hanging over the top and bottom border) are zeroed once, not on every call.
  private func unfold(_ x: Activation, _ g: WindowGeometry, _ range: Range<Int>)
    -> (UnsafeMutablePointer<Float>, Int) {
    let outPlane = g.outH * g.outW
    if isPointwise { return (x.data + range.lowerBound * outPlane, x.shape.n * outPlane) }
    let ld = chunkCapacity(g) * outPlane
    let c = cols.reserve(rows * ld)
    let layout = ColumnsLayout(geometry: g, ld: ld, buffer: c)
    if columnsLayout != layout {
      c.update(repeating: 0, count: rows * ld)
      columnsLayout = layout
    }
    im2col(x.data, channels: inChannels, batch: x.shape.n, geometry: g, samples: range, into: c, ld: ld,
           bordersAreZero: true)
    return (c, ld)
  }

  private struct ColumnsLayout: Equatable {
    var geometry: WindowGeometry
    var ld: Int
    var buffer: UnsafeMutablePointer<Float>
  }

  private var columnsLayout: ColumnsLayout?

  /// Samples per chunk for a batch of any size: `chunkBudget` over one sample's working set.
  private func chunkCapacity(_ g: WindowGeometry) -> Int {
    let outPlane = g.outH * g.outW
    let perSample = (isPointwise ? 0 : rows * outPlane) + (fused == .reluMaxPool2 ? outChannels * outPlane : 0)
    var capacity = chunkBudget / max(perSample, 1)
    if fused == .reluMaxPool2 && rows < outChannels {
      capacity = min(capacity, pooledOutputBudget / (outChannels * outPlane))
    }
    return max(1, capacity)
  }

  /// Bias, 2×2 max-pool and ReLU from the chunk's full-resolution GEMM output `z` into the
  /// pooled output; records each window's winner (0–3, first maximum in scan order wins, as in
  /// PyTorch).
  private func poolForward(_ z: UnsafeMutablePointer<Float>, width: Int, _ g: WindowGeometry, samples: Range<Int>,
                           batch: Int, into y: UnsafeMutablePointer<Float>, _ context: PassContext) {
    let w = g.outW, ph = g.outH / 2, pw = g.outW / 2, outPlane = g.outH * g.outW
    winners.withUnsafeMutableBufferPointer { win in
      for co in 0..<outChannels {
        let bv = bias(context, co)
        for n in samples {
          let src = z + co * width + (n - samples.lowerBound) * outPlane
          let o = (co * batch + n) * ph * pw
          for py in 0..<ph {
            let r0 = src + 2 * py * w, r1 = r0 + w
            for px in 0..<pw {
              // Selects, not branches: which corner wins is random, so branches mispredict.
              let a = r0[2 * px], b = r0[2 * px + 1], c = r1[2 * px], d = r1[2 * px + 1]
              let ab = b > a, cd = d > c
              let top = ab ? b : a, bottom = cd ? d : c
              let lower = bottom > top
              let best = lower ? bottom : top
              let code: UInt8 = lower ? (cd ? 3 : 2) : (ab ? 1 : 0)
              y[o + py * pw + px] = max(best + bv, 0)
              win[o + py * pw + px] = code
            }
          }
        }
      }
    }
  }

  // MARK: Backward

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    guard let x = input else { preconditionFailure("\(name): backward before forward") }
    let s = x.shape
    let g = geometry(s)
    let outPlane = g.outH * g.outW
    let ld = s.n * outPlane
    let weights = context.parameters + weightOffset
    let dW = context.gradients + weightOffset
    let dx = inputGradient.reserve(s.count)
    let chunk = chunkSize(s, g)
    var biasSums = [Float](repeating: 0, count: outChannels)
    var n0 = 0
    while n0 < s.n {
      let n1 = min(s.n, n0 + chunk)
      let width = (n1 - n0) * outPlane
      // The gradient at the GEMM output for this chunk, and its leading dimension.
      let (dz, ldz) = outputGradient(dy, g, samples: n0..<n1, batch: s.n, biasSums: &biasSums)
      let (b, ldb) = unfold(x, g, n0..<n1)
      BLAS.gemm(transA: false, transB: true, m: outChannels, n: rows, k: width, a: dz, lda: ldz,
                b: b, ldb: ldb, beta: 1, c: dW, ldc: rows)
      if computesInputGradient {
        if isPointwise {
          BLAS.gemm(transA: true, transB: false, m: rows, n: width, k: outChannels, a: weights, lda: rows,
                    b: dz, ldb: ldz, beta: 0, c: dx + n0 * outPlane, ldc: ld)
        } else {
          let scratch = dcols.reserve(rows * chunk * outPlane)
          BLAS.gemm(transA: true, transB: false, m: rows, n: width, k: outChannels, a: weights, lda: rows,
                    b: dz, ldb: ldz, beta: 0, c: scratch, ldc: width)
          let inPlane = s.plane
          for c in 0..<inChannels {
            (dx + (c * s.n + n0) * inPlane).update(repeating: 0, count: (n1 - n0) * inPlane)
          }
          col2im(scratch, ld: width, channels: inChannels, batch: s.n, geometry: g, samples: n0..<n1, into: dx)
        }
      }
      n0 = n1
    }
    if let biasOffset {
      for co in 0..<outChannels { context.gradients[biasOffset + co] += biasSums[co] }
    }
    return Activation(shape: s, data: dx)
  }

  /// The loss gradient with respect to the GEMM output (before bias and activation) for samples
  /// `samples`, accumulating its row sums (the bias gradient) into `biasSums`.
  private func outputGradient(_ dy: Activation, _ g: WindowGeometry, samples: Range<Int>, batch: Int,
                              biasSums: inout [Float]) -> (UnsafeMutablePointer<Float>, Int) {
    let outPlane = g.outH * g.outW
    let width = samples.count * outPlane, ld = batch * outPlane
    switch fused {
    case .none:
      let base = dy.data + samples.lowerBound * outPlane
      if hasBias {
        for co in 0..<outChannels {
          let row = base + co * ld
          var sum: Float = 0
          for i in 0..<width { sum += row[i] }
          biasSums[co] += sum
        }
      }
      return (base, ld)
    case .relu:
      let dz = chunkGradient.reserve(outChannels * width)
      let y = output.pointer + samples.lowerBound * outPlane, src = dy.data + samples.lowerBound * outPlane
      for co in 0..<outChannels {
        let out = y + co * ld, gin = src + co * ld, dst = dz + co * width
        var sum: Float = 0
        for i in 0..<width {
          let v = out[i] > 0 ? gin[i] : 0
          dst[i] = v
          sum += v
        }
        biasSums[co] += sum
      }
      return (dz, width)
    case .reluMaxPool2:
      let dz = chunkGradient.reserve(outChannels * width)
      let w = g.outW, ph = g.outH / 2, pw = g.outW / 2
      // Locals, so the compiler need not reload them after every store into `dz`.
      let y = UnsafePointer(output.pointer), gIn = UnsafePointer(dy.data)
      winners.withUnsafeBufferPointer { win in
        let codes = win.baseAddress!
        for co in 0..<outChannels {
          var sum: Float = 0
          for n in samples {
            let dst = dz + co * width + (n - samples.lowerBound) * outPlane
            let o = (co * batch + n) * ph * pw
            for py in 0..<ph {
              let r0 = dst + 2 * py * w, r1 = r0 + w
              let yRow = y + o + py * pw, gRow = gIn + o + py * pw, cRow = codes + o + py * pw
              for px in 0..<pw {
                // The pooled output is post-ReLU: positive exactly where the gradient passes.
                let v: Float = yRow[px] > 0 ? gRow[px] : 0
                sum += v
                let code = cRow[px]
                r0[2 * px] = code == 0 ? v : 0
                r0[2 * px + 1] = code == 1 ? v : 0
                r1[2 * px] = code == 2 ? v : 0
                r1[2 * px + 1] = code == 3 ? v : 0
              }
            }
          }
          biasSums[co] += sum
        }
      }
      return (dz, width)
    }
  }

  public func forwardFLOPs(for input: ActivationShape) -> Double {
    let g = geometry(input)
    return 2 * Double(input.n * g.outH * g.outW) * Double(outChannels * rows)
  }

  public func backwardFLOPs(for input: ActivationShape) -> Double {
    forwardFLOPs(for: input) * (computesInputGradient ? 2 : 1)
  }
}
