/// The trained numbers of a model: parameter values and running statistics, in the flat
/// layout its `ParameterLayout` describes. Shared by every replica.
final class ModelParameters: @unchecked Sendable {
  let spec: ModelSpec
  let layout: ParameterLayout
  let values: SharedFloats
  let state: SharedFloats

  init(spec: ModelSpec, seed: UInt64) throws {
    var layout = ParameterLayout()
    _ = try spec.build(layout: &layout)
    self.spec = spec
    self.layout = layout
    values = SharedFloats(layout.initialValues(seed: seed))
    state = SharedFloats(layout.initialState())
  }
}
