import Testing
@testable import TesseraImage

@Test func imageSubscriptAddressesInterleavedSamples() {
  var image = Image(width: 3, height: 2, channels: 3)
  image[2, 1, 1] = 7
  #expect(image.pixels[(1 * 3 + 2) * 3 + 1] == 7)
  #expect(image.pixelCount == 6)
}
