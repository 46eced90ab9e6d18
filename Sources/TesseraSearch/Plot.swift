import Foundation
import TesseraImage

/// A scatter/line chart drawn into an `Image`: axes with the ranges' end values written at the
/// corners, one colour per series. Titles and legends go in the Markdown beside it.
struct Plot {
  struct Series {
    var points: [(x: Double, y: Double)]
    var color: Canvas.Color
    var dots = true
    var connect = false
    var stepwise = false
  }

  var series: [Series]
  var width = 640
  var height = 400
  /// Format of the axis numbers.
  var xFormat = "%.0f"
  var yFormat = "%.3f"

  func render() -> Image {
    var canvas = Canvas(width: width, height: height)
    let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
    guard !all.isEmpty else { return canvas.image }
    var xMin = all.map(\.x).min()!, xMax = all.map(\.x).max()!
    var yMin = all.map(\.y).min()!, yMax = all.map(\.y).max()!
    if xMax - xMin < 1e-12 { xMin -= 1; xMax += 1 }
    if yMax - yMin < 1e-12 { yMin -= 0.01; yMax += 0.01 }
    let pad = (yMax - yMin) * 0.05, xPad = (xMax - xMin) * 0.03
    yMin -= pad
    yMax += pad
    // Keep end points off the axes; the labels still show the data's own range.
    let xLow = xMin, xHigh = xMax
    xMin -= xPad
    xMax += xPad
    let left = 16 + Canvas.textWidth(String(format: yFormat, yMax)), right = width - 16
    let top = 16, bottom = height - 36
    func px(_ x: Double) -> Int { left + Int(((x - xMin) / (xMax - xMin) * Double(right - left)).rounded()) }
    func py(_ y: Double) -> Int { bottom - Int(((y - yMin) / (yMax - yMin) * Double(bottom - top)).rounded()) }
    // Light grid at quarters, then axes.
    for q in 1..<4 {
      let gy = top + (bottom - top) * q / 4, gx = left + (right - left) * q / 4
      for x in stride(from: left, to: right, by: 4) { canvas.set(x, gy, (225, 225, 225)) }
      for y in stride(from: top, to: bottom, by: 4) { canvas.set(gx, y, (225, 225, 225)) }
    }
    canvas.line(left, bottom, right, bottom, Canvas.black)
    canvas.line(left, top, left, bottom, Canvas.black)
    canvas.text(String(format: yFormat, yMax), x: 8, y: top)
    canvas.text(String(format: yFormat, yMin), x: 8, y: bottom - 10)
    canvas.text(String(format: xFormat, xLow), x: px(xLow) - 4, y: bottom + 10)
    let xMaxText = String(format: xFormat, xHigh)
    canvas.text(xMaxText, x: min(right, px(xHigh) + 4) - Canvas.textWidth(xMaxText), y: bottom + 10)
    for s in series {
      let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
      if s.connect {
        for (a, b) in zip(pts, pts.dropFirst()) {
          if s.stepwise {
            canvas.line(px(a.x), py(a.y), px(b.x), py(a.y), s.color)
            canvas.line(px(b.x), py(a.y), px(b.x), py(b.y), s.color)
          } else {
            canvas.line(px(a.x), py(a.y), px(b.x), py(b.y), s.color)
          }
        }
      }
      if s.dots { for p in pts { canvas.dot(px(p.x), py(p.y), radius: 3, s.color) } }
    }
    return canvas.image
  }
}
