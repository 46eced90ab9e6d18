import TesseraImage

/// An RGB drawing surface for the report's plots: lines, dots and a 3×5 pixel font for numbers.
struct Canvas {
  typealias Color = (UInt8, UInt8, UInt8)
  static let black: Color = (0, 0, 0)
  static let grey: Color = (170, 170, 170)
  static let blue: Color = (31, 119, 180)
  static let orange: Color = (255, 127, 14)
  static let green: Color = (44, 160, 44)
  static let red: Color = (214, 39, 40)
  static let purple: Color = (148, 103, 189)

  var image: Image

  init(width: Int, height: Int) {
    image = Image(width: width, height: height, channels: 3, filledWith: 255)
  }

  mutating func set(_ x: Int, _ y: Int, _ c: Color) {
    guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
    let i = (y * image.width + x) * 3
    image.pixels[i] = c.0
    image.pixels[i + 1] = c.1
    image.pixels[i + 2] = c.2
  }

  /// Bresenham.
  mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: Color) {
    var x = x0, y = y0
    let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
    var err = dx + dy
    while true {
      set(x, y, c)
      if x == x1 && y == y1 { break }
      let e2 = 2 * err
      if e2 >= dy { err += dy; x += sx }
      if e2 <= dx { err += dx; y += sy }
    }
  }

  mutating func dot(_ x: Int, _ y: Int, radius r: Int, _ c: Color) {
    for dy in -r...r { for dx in -r...r where dx * dx + dy * dy <= r * r + r { set(x + dx, y + dy, c) } }
  }

  /// Rows of 3-bit masks, top to bottom.
  static let glyphs: [Character: [UInt8]] = [
    "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
    "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
    "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ".": [0, 0, 0, 0, 2], "-": [0, 0, 7, 0, 0],
    "%": [5, 1, 2, 4, 5], " ": [0, 0, 0, 0, 0],
  ]

  /// Draws `text` with its top-left corner at (x, y), each font pixel `scale`×`scale`.
  mutating func text(_ text: String, x: Int, y: Int, scale: Int = 2, _ c: Color = Canvas.black) {
    var cx = x
    for ch in text {
      let rows = Canvas.glyphs[ch] ?? Canvas.glyphs[" "]!
      for (ry, bits) in rows.enumerated() {
        for rx in 0..<3 where bits & (4 >> rx) != 0 {
          for sy in 0..<scale { for sx in 0..<scale { set(cx + rx * scale + sx, y + ry * scale + sy, c) } }
        }
      }
      cx += 4 * scale
    }
  }

  static func textWidth(_ text: String, scale: Int = 2) -> Int { text.count * 4 * scale }
}
