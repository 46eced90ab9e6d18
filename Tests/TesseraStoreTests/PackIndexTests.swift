import Testing
import TesseraAugment
@testable import TesseraStore

/// Lookups in a pack index start in a window where a uniform id would sit; ids that are not uniform (or absent)
/// must be answered exactly as a plain binary search would.
@Suite struct PackIndexTests {
  @Test(arguments: ["uniform", "clustered", "equal leading words"])
  func everyStoredIdIsFoundAndNoOtherIs(_ shape: String) throws {
    var random = SplitMix64(seed: 99)
    func id() -> ObjectID {
      switch shape {
      case "uniform": return ObjectID(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next())
      case "clustered": return ObjectID(w0: random.next() >> 40, w1: random.next(), w2: random.next(), w3: random.next())
      default: return ObjectID(w0: 1 << 63 | random.next() % 3, w1: random.next(), w2: random.next(), w3: random.next())
      }
    }
    let entries = (0..<5000).map { PackIndex.Entry(id: id(), offset: UInt64($0) * 7, size: UInt64($0)) }
    let index = try PackIndex(bytes: PackIndex.serialize(entries), path: "test.tpi")
    for e in entries {
      let found = try #require(index.find(e.id), "\(shape): \(e.id.hex) not found")
      #expect(found.offset == e.offset && found.size == e.size)
    }
    for _ in 0..<5000 { #expect(index.find(id()) == nil) }
    #expect(index.find(ObjectID(w0: 0, w1: 0, w2: 0, w3: 0)) == nil)
    #expect(index.find(ObjectID(w0: .max, w1: .max, w2: .max, w3: .max)) == nil)
  }
}
