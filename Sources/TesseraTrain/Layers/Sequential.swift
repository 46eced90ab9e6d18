/// Layers applied one after another.
public final class Sequential: Layer, LayerContainer {
  public private(set) var layers: [any Layer]
  public var computesInputGradient = true {
    didSet { if let first = layers.first { first.computesInputGradient = computesInputGradient } }
  }
  private var shapes: [ActivationShape] = []

  public init(_ layers: [any Layer]) {
    self.layers = layers
  }

  public var name: String { "sequential" }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    var s = input
    for layer in layers { s = try layer.outputShape(for: s) }
    return s
  }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    var a = x
    if shapes.count != layers.count { shapes = [ActivationShape](repeating: x.shape, count: layers.count) }
    for (i, layer) in layers.enumerated() {
      shapes[i] = a.shape
      if let profiler = context.profiler, !(layer is LayerContainer) {
        let t0 = LayerProfiler.threadCPUTime()
        a = layer.forward(a, context)
        profiler.record(layer.name, backward: false, seconds: LayerProfiler.threadCPUTime() - t0,
                        flops: layer.forwardFLOPs(for: shapes[i]))
      } else {
        a = layer.forward(a, context)
      }
    }
    return a
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    var g = dy
    for i in layers.indices.reversed() {
      let layer = layers[i]
      if let profiler = context.profiler, !(layer is LayerContainer) {
        let t0 = LayerProfiler.threadCPUTime()
        g = layer.backward(g, context)
        profiler.record(layer.name, backward: true, seconds: LayerProfiler.threadCPUTime() - t0,
                        flops: layer.backwardFLOPs(for: shapes[i]))
      } else {
        g = layer.backward(g, context)
      }
    }
    return g
  }

  public func forwardFLOPs(for input: ActivationShape) -> Double {
    var s = input, total = 0.0
    for layer in layers {
      total += layer.forwardFLOPs(for: s)
      s = (try? layer.outputShape(for: s)) ?? s
    }
    return total
  }

  public func backwardFLOPs(for input: ActivationShape) -> Double {
    var s = input, total = 0.0
    for layer in layers {
      total += layer.backwardFLOPs(for: s)
      s = (try? layer.outputShape(for: s)) ?? s
    }
    return total
  }
}
