import Testing
import TesseraImage
@testable import TesseraSearch

struct PlotTests {
  func colour(_ image: Image, _ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
    let i = (y * image.width + x) * 3
    return (image.pixels[i], image.pixels[i + 1], image.pixels[i + 2])
  }

  func count(_ image: Image, _ c: Canvas.Color, x: Range<Int>, y: Range<Int>) -> Int {
    var n = 0
    for yy in y { for xx in x where colour(image, xx, yy) == c { n += 1 } }
    return n
  }

  @Test func pointsLandWhereTheDataSaysAndLinesJoinThem() {
    let plot = Plot(series: [
      Plot.Series(points: [(0, 0), (10, 1)], color: Canvas.blue),
      Plot.Series(points: [(0, 0), (10, 1)], color: Canvas.red, dots: false, connect: true),
    ], width: 200, height: 120)
    let image = plot.render()
    #expect(image.width == 200 && image.height == 120 && image.channels == 3)
    // Low point near the bottom left, high point near the top right, nothing blue in the other corners.
    #expect(count(image, Canvas.blue, x: 40..<110, y: 60..<90) > 0)
    #expect(count(image, Canvas.blue, x: 110..<200, y: 0..<40) > 0)
    #expect(count(image, Canvas.blue, x: 110..<200, y: 60..<120) == 0)
    #expect(count(image, Canvas.red, x: 0..<200, y: 0..<120) > 40)
    // Axis numbers are drawn in black.
    #expect(count(image, Canvas.black, x: 0..<40, y: 0..<30) > 5)
  }

  @Test func gridPlacesCellsWithGaps() {
    let a = Image(width: 2, height: 2, channels: 1, filledWith: 10)
    let b = Image(width: 2, height: 2, channels: 1, filledWith: 200)
    let grid = PolicySearch.grid(rows: [[a, b]], zoom: 2, gap: 1)
    #expect(grid.width == 2 * 4 + 3 && grid.height == 4 + 2)
    #expect(grid.pixels[1 * grid.width + 1] == 10)
    #expect(grid.pixels[1 * grid.width + 6] == 200)
    #expect(grid.pixels[1 * grid.width + 5] == 128)
  }
}
