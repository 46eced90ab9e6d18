import Foundation

/// The committed fixtures of Resources/ (made by fixtures/images/make_fixtures.py).
enum Fixtures {
  static let root: URL = Bundle.module.url(forResource: "Resources", withExtension: nil)!

  static func bytes(_ relativePath: String) -> [UInt8] {
    (try? [UInt8](Data(contentsOf: root.appendingPathComponent(relativePath)))) ?? []
  }

  /// What Pillow decoded each file in images/ to.
  struct Expected: Decodable, Sendable {
    var width: Int
    var height: Int
    var channels: Int
    var sha256: String
    var pixels: String
    var note: String?

    var pixelBytes: [UInt8] {
      var out: [UInt8] = []
      out.reserveCapacity(pixels.count / 2)
      var index = pixels.startIndex
      while index < pixels.endIndex {
        let next = pixels.index(index, offsetBy: 2)
        out.append(UInt8(pixels[index..<next], radix: 16)!)
        index = next
      }
      return out
    }
  }

  static let expected: [String: Expected] = {
    let data = (try? Data(contentsOf: root.appendingPathComponent("expected.json"))) ?? Data()
    return (try? JSONDecoder().decode([String: Expected].self, from: data)) ?? [:]
  }()

  static var imageNames: [String] { expected.keys.sorted() }

  /// corrupt/<file> -> the ImageCodecError.Code name it must raise.
  static let corrupt: [String: String] = {
    let data = (try? Data(contentsOf: root.appendingPathComponent("corrupt/expected.json"))) ?? Data()
    return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
  }()

  static var corruptNames: [String] { corrupt.keys.sorted() }
}
