import Foundation
import Testing
@testable import TesseraImage

@Suite struct CodecFixtureTests {
  @Test func fixturesAreThere() {
    #expect(Fixtures.imageNames.count >= 20)
    #expect(Fixtures.corruptNames.count >= 15)
  }

  /// Every fixture decodes to the pixels Pillow reports (see make_fixtures.py for the documented choices).
  @Test(arguments: Fixtures.imageNames)
  func decodesFixtureToPillowsPixels(name: String) throws {
    let expected = try #require(Fixtures.expected[name])
    let image = try decodeImage(bytes: Fixtures.bytes("images/" + name))
    #expect(image.width == expected.width)
    #expect(image.height == expected.height)
    #expect(image.channels == expected.channels)
    let want = expected.pixelBytes
    try #require(image.pixels.count == want.count)
    let mismatches = zip(image.pixels, want).enumerated().filter { $0.element.0 != $0.element.1 }
    if let first = mismatches.first {
      let worst = mismatches.map { abs(Int($0.element.0) - Int($0.element.1)) }.max() ?? 0
      Issue.record("\(name): \(mismatches.count) samples differ, worst by \(worst); first at \(first.offset): \(first.element)")
    }
  }

  @Test func sniffsFormatsFromMagicBytes() {
    #expect(ImageFormat(sniffing: Fixtures.bytes("images/rgb8.png")) == .png)
    #expect(ImageFormat(sniffing: Fixtures.bytes("images/rgb420.jpg")) == .jpeg)
    #expect(ImageFormat(sniffing: [UInt8]()) == nil)
    #expect(ImageFormat(sniffing: Array("GIF89a".utf8)) == nil)
    #expect(ImageFormat(sniffing: [0x89, 0x50, 0x4E, 0x47]) == nil)  // a cut signature is not a PNG
    #expect(ImageFormat(sniffing: [0xFF, 0xD8, 0xFF]) == .jpeg)
  }

  /// Deliberately broken files through `decodeImage`; fuzz-* files (inputs the fuzz test once failed on)
  /// go straight to the decoder their extension names, as the fuzz test sent them.
  @Test(arguments: Fixtures.corruptNames)
  func corruptFileThrowsItsExpectedCode(name: String) {
    let want = Fixtures.corrupt[name]
    let bytes = Fixtures.bytes("corrupt/" + name)
    do {
      let image = if name.hasPrefix("fuzz-") {
        try bytes.withUnsafeBufferPointer { buffer throws(ImageCodecError) in
          try decode(buffer, as: name.hasSuffix(".png") ? .png : .jpeg, options: ImageDecodingOptions())
        }
      } else {
        try decodeImage(bytes: bytes)
      }
      Issue.record("\(name) decoded to \(image.width)x\(image.height)x\(image.channels); expected \(want ?? "?")")
    } catch {
      #expect(error.code.description == want, "\(name): \(error)")
      #expect(!error.function.isEmpty && !error.message.isEmpty)
    }
  }

  @Test func pixelLimitIsCheckedAgainstTheHeader() throws {
    let png = Fixtures.bytes("images/rgb8.png")  // 13 x 9
    let jpeg = Fixtures.bytes("images/progressive.jpg")  // 17 x 11
    #expect(try decodeImage(bytes: png, options: ImageDecodingOptions(maxPixels: 13 * 9)).pixelCount == 117)
    #expect(try decodeImage(bytes: jpeg, options: ImageDecodingOptions(maxPixels: 17 * 11)).pixelCount == 187)
    for (bytes, limit) in [(png, 13 * 9 - 1), (jpeg, 17 * 11 - 1)] {
      #expect {
        try decodeImage(bytes: bytes, options: ImageDecodingOptions(maxPixels: limit))
      } throws: { error in
        let error = error as! ImageCodecError
        return error.code == .pixelLimitExceeded && error.message.contains("exceeds the limit of \(limit)")
      }
    }
  }

  @Test func progressiveScanLimitStopsManyScanFiles() throws {
    let jpeg = Fixtures.bytes("images/progressive.jpg")
    let error = #expect(throws: ImageCodecError.self) {
      try decodeImage(bytes: jpeg, options: ImageDecodingOptions(maxProgressiveScans: 2))
    }
    #expect(error?.message.contains("more than 2 scans") == true)
    #expect(error?.format == .jpeg)
  }

  @Test func truncatedJPEGIsAnErrorNotGreyPadding() throws {
    let jpeg = Fixtures.bytes("images/rgb444.jpg")
    let error = #expect(throws: ImageCodecError.self) { try decodeImage(bytes: Array(jpeg.dropLast(40))) }
    #expect(error?.message.contains("Premature end of JPEG file") == true)
    #expect(error?.function.hasPrefix("jpeg_") == true)
  }

  @Test func fileErrorsNameTheFileAndTheCFunction() throws {
    let url = Fixtures.root.appendingPathComponent("corrupt/png_truncated_in_idat.png")
    do {
      _ = try decodeImage(contentsOf: url)
      Issue.record("truncated PNG decoded")
    } catch let error as ImageCodecError {
      #expect(error.path == url.path)
      #expect(error.description.hasPrefix(url.path + ": png_read_image: "))
    }
  }

  @Test func unknownFormatShowsTheFirstBytes() {
    let error = #expect(throws: ImageCodecError.self) { try decodeImage(bytes: Array("GIF89a!".utf8)) }
    #expect(error?.code == .unknownFormat)
    #expect(error?.description == "decodeImage: not a PNG or JPEG (starts with 47 49 46 38 39 61 21)")
    let binary = #expect(throws: ImageCodecError.self) { try decodeImage(bytes: [0x00, 0x0A, 0xFF]) }
    #expect(binary?.message == "not a PNG or JPEG (starts with 00 0A FF)")
  }
}
