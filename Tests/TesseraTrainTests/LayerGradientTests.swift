import Testing
@testable import TesseraTrain

struct LayerGradientTests {
  let check = GradientCheck()

  @Test(arguments: [(1, 0, Conv2D.Fused.none, 5), (1, 1, .none, 5), (2, 1, .none, 5), (2, 0, .none, 5),
                     (1, 1, .relu, 5), (1, 1, .reluMaxPool2, 4), (2, 1, .reluMaxPool2, 7), (1, 1, .none, 1),
                     (1, 1, .none, 2)])
  func conv2DMatchesFiniteDifferences(stride: Int, padding: Int, fused: Conv2D.Fused, size: Int) {
    var layout = ParameterLayout()
    let conv = Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3, stride: stride, padding: padding, fused: fused,
                      layout: &layout)
    conv.chunkBudget = 200  // several chunks per batch
    let shape = ActivationShape(n: 3, c: 2, h: size, w: size)
    // With a fused ReLU (and pool), coordinates whose differences straddle a kink are skipped (at most a fifth).
    var kinked = check
    kinked.skipKinks = fused != .none
    if fused != .none { kinked.epsilon = 1e-3 }
    let result = kinked.runCounting(conv, layout: layout, input: randomInput(shape.count, seed: 1), shape: shape)
    #expect(result.mismatches.isEmpty, "\(result.mismatches.prefix(5))")
    #expect(result.skipped * 5 <= result.checked + result.skipped, "skipped \(result.skipped) of \(result.checked)")
  }

  @Test(arguments: [1 << 20, 9])
  func pointwiseConvMatchesFiniteDifferences(budget: Int) {
    var layout = ParameterLayout()
    let pointwise = Conv2D(inChannels: 3, outChannels: 2, kernelSize: 1, bias: false, layout: &layout)
    pointwise.chunkBudget = budget
    let shape = ActivationShape(n: 2, c: 3, h: 3, w: 3)
    let bad = check.run(pointwise, layout: layout, input: randomInput(shape.count, seed: 2), shape: shape)
    #expect(bad.isEmpty, "\(bad.prefix(5))")
  }

  /// The fused conv + ReLU + max-pool computes what the three separate layers compute.
  @Test func fusedConvPoolEqualsSeparateLayers() {
    var l1 = ParameterLayout(), l2 = ParameterLayout()
    let fusedConv = Conv2D(inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1, fused: .reluMaxPool2, layout: &l1)
    fusedConv.chunkBudget = 300
    let separate = Sequential([Conv2D(inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1, layout: &l2), ReLU(),
                               MaxPool2D(kernelSize: 2)])
    #expect(l1 == l2)
    let shape = ActivationShape(n: 3, c: 2, h: 6, w: 6)
    var x = randomInput(shape.count, seed: 30)
    var dy = randomInput(3 * 4 * 9, seed: 31)
    let params = l1.initialValues(seed: 3)
    func run(_ layer: any Layer) -> ([Float], [Float], [Float]) {
      withScratchContext(parameters: params, training: true, seed: 0) { ctx in
        x.withUnsafeMutableBufferPointer { xb in
          dy.withUnsafeMutableBufferPointer { db in
            let y = layer.forward(Activation(shape: shape, data: xb.baseAddress!), ctx)
            let dx = layer.backward(Activation(shape: y.shape, data: db.baseAddress!), ctx)
            return (Array(UnsafeBufferPointer(start: y.data, count: y.shape.count)),
                    Array(UnsafeBufferPointer(start: dx.data, count: shape.count)),
                    Array(UnsafeBufferPointer(start: ctx.gradients, count: l1.count)))
          }
        }
      }
    }
    let a = run(fusedConv), b = run(separate)
    // Equal up to GEMM rounding: different chunk widths may block the sums differently.
    func close(_ u: [Float], _ v: [Float]) -> Bool {
      u.count == v.count && zip(u, v).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
    }
    #expect(close(a.0, b.0))
    #expect(close(a.1, b.1))
    #expect(close(a.2, b.2))
  }

  @Test func linearMatchesFiniteDifferences() {
    var layout = ParameterLayout()
    let fc = Linear(inFeatures: 5, outFeatures: 4, layout: &layout)
    let shape = ActivationShape(n: 3, c: 5)
    let bad = check.run(fc, layout: layout, input: randomInput(shape.count, seed: 4), shape: shape)
    #expect(bad.isEmpty, "\(bad.prefix(5))")
  }

  @Test(arguments: [true, false])
  func batchNormMatchesFiniteDifferences(training: Bool) {
    var layout = ParameterLayout()
    let bn = BatchNorm(channels: 3, layout: &layout)
    let shape = ActivationShape(n: 4, c: 3, h: 2, w: 2)
    let bad = check.run(bn, layout: layout, input: randomInput(shape.count, seed: 5), shape: shape, training: training)
    #expect(bad.isEmpty, "\(bad.prefix(5))")
  }

  @Test func reluMatchesFiniteDifferences() {
    let shape = ActivationShape(n: 2, c: 2, h: 3, w: 3)
    let bad = check.run(ReLU(), layout: ParameterLayout(), input: randomInput(shape.count, seed: 6, margin: 0.1),
                        shape: shape)
    #expect(bad.isEmpty, "\(bad.prefix(5))")
  }

  @Test func maxPoolMatchesFiniteDifferences() {
    // 4×6 takes the tiled 2×2 path, 5×5 the general one.
    let odd = ActivationShape(n: 1, c: 2, h: 5, w: 5)
    let general = check.run(MaxPool2D(kernelSize: 2), layout: ParameterLayout(), input: distinctInput(odd.count, seed: 6),
                            shape: odd)
    #expect(general.isEmpty, "\(general.prefix(5))")
    let shape = ActivationShape(n: 2, c: 2, h: 4, w: 6)
    let bad = check.run(MaxPool2D(kernelSize: 2), layout: ParameterLayout(), input: distinctInput(shape.count, seed: 7),
                        shape: shape)
    #expect(bad.isEmpty, "\(bad.prefix(5))")
    let overlapping = check.run(MaxPool2D(kernelSize: 3, stride: 2), layout: ParameterLayout(),
                                input: distinctInput(ActivationShape(n: 1, c: 2, h: 5, w: 5).count, seed: 8),
                                shape: ActivationShape(n: 1, c: 2, h: 5, w: 5))
    #expect(overlapping.isEmpty, "\(overlapping.prefix(5))")
  }

  @Test func averagePoolsMatchFiniteDifferences() {
    let shape = ActivationShape(n: 2, c: 2, h: 4, w: 4)
    let avg = check.run(AvgPool2D(kernelSize: 2), layout: ParameterLayout(), input: randomInput(shape.count, seed: 9),
                        shape: shape)
    #expect(avg.isEmpty, "\(avg.prefix(5))")
    let global = check.run(GlobalAvgPool(), layout: ParameterLayout(), input: randomInput(shape.count, seed: 10),
                           shape: shape)
    #expect(global.isEmpty, "\(global.prefix(5))")
  }

  @Test func dropoutMatchesFiniteDifferencesAndDropsAboutItsRate() {
    var layout = ParameterLayout()
    let dropout = DropoutLayer(rate: 0.5, layout: &layout)
    let shape = ActivationShape(n: 4, c: 50)
    let input = randomInput(shape.count, seed: 11, margin: 0.1)
    let bad = check.run(dropout, layout: layout, input: input, shape: shape)
    #expect(bad.isEmpty, "\(bad.prefix(5))")
    // The same pass seed gives the same mask; about half the values are dropped, the rest doubled.
    var x = input
    let zeros = withScratchContext(training: true, seed: 3) { ctx in
      x.withUnsafeMutableBufferPointer { xb in
        let y = dropout.forward(Activation(shape: shape, data: xb.baseAddress!), ctx)
        return (0..<shape.count).filter { y.data[$0] == 0 }.count
      }
    }
    #expect(zeros > 60 && zeros < 140)
  }

  @Test func flattenMatchesFiniteDifferencesAndOrdersLikeNCHW() {
    let shape = ActivationShape(n: 2, c: 3, h: 2, w: 2)
    let bad = check.run(Flatten(), layout: ParameterLayout(), input: randomInput(shape.count, seed: 12), shape: shape)
    #expect(bad.isEmpty, "\(bad.prefix(5))")
    // Sample n's feature (c, h, w) must be NCHW element [n, c, h, w].
    let nchw = Tensor(shape: [2, 3, 2, 2], storage: (0..<24).map(Float.init))
    var x = nchw.channelMajor()
    let flatten = Flatten()
    let out = withScratchContext(training: true, seed: 0) { ctx in
      x.withUnsafeMutableBufferPointer { xb in
        let y = flatten.forward(Activation(shape: shape, data: xb.baseAddress!), ctx)
        return Tensor(shape: [2, 12], channelMajor: Array(UnsafeBufferPointer(start: y.data, count: 24)))
      }
    }
    #expect(out.storage == nchw.storage)
  }

  /// Training and evaluation mode, identity and projection shortcuts. Two ReLUs over 2×2 maps
  /// put units near their kinks, and float32 rounding makes one-sided differences noisy, so
  /// coordinates whose forward and backward differences disagree are skipped (at most a third;
  /// 0–28 % here); every other coordinate must agree.
  @Test(arguments: [(4, 4, 1, true), (4, 4, 1, false), (4, 6, 2, true), (4, 6, 2, false)])
  func residualBlockMatchesFiniteDifferences(inChannels: Int, outChannels: Int, stride: Int, training: Bool) {
    var layout = ParameterLayout()
    let block = ResidualBlock(inChannels: inChannels, outChannels: outChannels, stride: stride, layout: &layout,
                              name: "block")
    #expect((block.shortcut == nil) == (inChannels == outChannels && stride == 1))
    let shape = ActivationShape(n: 2, c: inChannels, h: 4, w: 4)
    var kinked = check
    kinked.epsilon = 1e-3
    kinked.skipKinks = true
    let result = kinked.runCounting(block, layout: layout, input: randomInput(shape.count, seed: 13), shape: shape,
                                    training: training)
    #expect(result.mismatches.isEmpty, "\(result.mismatches.prefix(5))")
    #expect(result.skipped * 3 <= result.checked + result.skipped, "skipped \(result.skipped) of \(result.checked)")
  }
}
