import TesseraAugment
@testable import TesseraTrain

/// Compares a layer's backward pass with central finite differences of `L = Σ y·R` for a fixed
/// random `R`, over its input and every parameter.
struct GradientCheck {
  var epsilon: Float = 1e-2
  var absoluteTolerance: Double = 2e-3
  var relativeTolerance: Double = 2e-2
  /// For composites with ReLUs: a coordinate whose forward and backward differences disagree
  /// straddles a kink within ε, where finite differences say nothing about the code; skip it,
  /// and report how many were skipped so a test can bound it.
  var skipKinks = false

  struct Mismatch: CustomStringConvertible {
    var what: String, index: Int, analytic: Double, numeric: Double
    var description: String { "\(what)[\(index)]: analytic \(analytic), numeric \(numeric)" }
  }

  /// Runs the check; returns the mismatches (empty when the gradients agree).
  func run(_ layer: any Layer, layout: ParameterLayout, input: [Float], shape: ActivationShape,
           training: Bool = true, seed: UInt64 = 1, parameterNoise: Float = 0.1) -> [Mismatch] {
    runCounting(layer, layout: layout, input: input, shape: shape, training: training, seed: seed,
                parameterNoise: parameterNoise).mismatches
  }

  /// Runs the check; returns the mismatches and, with `skipKinks`, the coordinates skipped.
  /// `input` may be shaped so that non-smooth points (ReLU at 0, max-pool ties) are far away.
  func runCounting(_ layer: any Layer, layout: ParameterLayout, input: [Float], shape: ActivationShape,
                   training: Bool = true, seed: UInt64 = 1,
                   parameterNoise: Float = 0.1) -> (mismatches: [Mismatch], checked: Int, skipped: Int) {
    var rng = SplitMix64(seed: seed, index: 99)
    var params = layout.initialValues(seed: seed)
    for i in params.indices { params[i] += (2 * Float(rng.nextUnitDouble()) - 1) * parameterNoise }
    let state = layout.initialState()
    let outShape = try! layer.outputShape(for: shape)
    let r = (0..<outShape.count).map { _ in Float(2 * rng.nextUnitDouble() - 1) }

    func objective(_ p: [Float], _ x: [Float]) -> Double {
      var p = p, x = x, g = [Float](repeating: 0, count: max(layout.count, 1))
      var st = state, stats = [Float](repeating: 0, count: max(layout.stateCount, 1))
      if st.isEmpty { st = [0] }
      return p.withUnsafeMutableBufferPointer { pb in
        x.withUnsafeMutableBufferPointer { xb in
          g.withUnsafeMutableBufferPointer { gb in
            st.withUnsafeMutableBufferPointer { sb in
              stats.withUnsafeMutableBufferPointer { tb in
                let ctx = PassContext(parameters: pb.baseAddress!, gradients: gb.baseAddress!, state: sb.baseAddress!,
                                      batchStatistics: tb.baseAddress!, training: training, seed: 7)
                let y = layer.forward(Activation(shape: shape, data: xb.baseAddress!), ctx)
                var sum = 0.0
                for i in 0..<outShape.count { sum += Double(y.data[i]) * Double(r[i]) }
                return sum
              }
            }
          }
        }
      }
    }

    // Analytic gradients.
    var p = params, x = input, g = [Float](repeating: 0, count: max(layout.count, 1))
    var st = state.isEmpty ? [0] : state, stats = [Float](repeating: 0, count: max(layout.stateCount, 1))
    var rr = r
    var dx = [Float]()
    p.withUnsafeMutableBufferPointer { pb in
      x.withUnsafeMutableBufferPointer { xb in
        g.withUnsafeMutableBufferPointer { gb in
          st.withUnsafeMutableBufferPointer { sb in
            stats.withUnsafeMutableBufferPointer { tb in
              rr.withUnsafeMutableBufferPointer { rb in
                let ctx = PassContext(parameters: pb.baseAddress!, gradients: gb.baseAddress!, state: sb.baseAddress!,
                                      batchStatistics: tb.baseAddress!, training: training, seed: 7)
                let y = layer.forward(Activation(shape: shape, data: xb.baseAddress!), ctx)
                let d = layer.backward(Activation(shape: y.shape, data: rb.baseAddress!), ctx)
                dx = Array(UnsafeBufferPointer(start: d.data, count: shape.count))
              }
            }
          }
        }
      }
    }

    var mismatches: [Mismatch] = []
    var checked = 0, skipped = 0
    func differs(_ a: Double, _ b: Double) -> Bool {
      abs(a - b) > absoluteTolerance + relativeTolerance * max(abs(a), abs(b))
    }
    let e = Double(epsilon)
    func compare(_ what: String, _ index: Int, _ analytic: Float, _ values: (Float) -> (Double, Double)) {
      let (plus, minus) = values(epsilon)
      let numeric = (plus - minus) / (2 * e)
      if skipKinks {
        let center = values(0).0
        if differs((plus - center) / e, (center - minus) / e) {
          skipped += 1
          return
        }
      }
      checked += 1
      if differs(Double(analytic), numeric) {
        mismatches.append(Mismatch(what: what, index: index, analytic: Double(analytic), numeric: numeric))
      }
    }
    if layer.computesInputGradient {
      for i in input.indices {
        compare("input", i, dx[i]) { e in
          var plus = input, minus = input
          plus[i] += e
          minus[i] -= e
          return (objective(params, plus), objective(params, minus))
        }
      }
    }
    for entry in layout.entries {
      for j in 0..<entry.count {
        let i = entry.offset + j
        compare(entry.name, j, g[i]) { e in
          var plus = params, minus = params
          plus[i] += e
          minus[i] -= e
          return (objective(plus, input), objective(minus, input))
        }
      }
    }
    return (mismatches, checked, skipped)
  }
}

/// Uniform values in ±1 that stay at least `margin` away from 0 (ReLU's kink).
func randomInput(_ count: Int, seed: UInt64, margin: Float = 0) -> [Float] {
  var rng = SplitMix64(seed: seed, index: 5)
  return (0..<count).map { _ in
    let v = Float(rng.nextUnitDouble())
    let sign: Float = rng.next() & 1 == 0 ? 1 : -1
    return sign * (margin + (1 - margin) * v)
  }
}

/// A shuffled ladder of distinct values spaced `step` apart, so max-pool windows never tie.
func distinctInput(_ count: Int, seed: UInt64, step: Float = 0.05) -> [Float] {
  var rng = SplitMix64(seed: seed, index: 6)
  var values = (0..<count).map { Float($0) * step - Float(count) * step / 2 }
  for i in stride(from: count - 1, to: 0, by: -1) { values.swapAt(i, rng.nextInt(below: i + 1)) }
  return values
}

/// Runs `body` with a context over `parameters` and zeroed scratch gradients and statistics.
func withScratchContext<T>(parameters: [Float] = [0], stateCount: Int = 1, training: Bool, seed: UInt64,
                           _ body: (PassContext) -> T) -> T {
  let count = max(parameters.count, 1), states = max(stateCount, 1)
  let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let g = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let s = UnsafeMutablePointer<Float>.allocate(capacity: states)
  let b = UnsafeMutablePointer<Float>.allocate(capacity: states)
  defer { p.deallocate(); g.deallocate(); s.deallocate(); b.deallocate() }
  p.initialize(repeating: 0, count: count)
  for (i, v) in parameters.enumerated() { p[i] = v }
  g.initialize(repeating: 0, count: count)
  s.initialize(repeating: 0, count: states)
  b.initialize(repeating: 0, count: states)
  return body(PassContext(parameters: p, gradients: g, state: s, batchStatistics: b, training: training, seed: seed))
}
