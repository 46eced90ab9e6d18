/// An axis-aligned pixel rectangle [x, x + width) × [y, y + height).
public struct Box: Sendable, Hashable, Codable {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  public var area: Int { max(width, 0) * max(height, 0) }

  /// The part of this box inside a `width` × `height` image.
  public func clipped(width imageWidth: Int, height imageHeight: Int) -> Box {
    let x0 = min(max(x, 0), imageWidth), y0 = min(max(y, 0), imageHeight)
    let x1 = min(max(x + width, 0), imageWidth), y1 = min(max(y + height, 0), imageHeight)
    return Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
  }
}
