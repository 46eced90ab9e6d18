import Testing
@testable import TesseraStore

@Test func objectIDMatchesSha256sumOfKnownInput() {
  // `printf abc | sha256sum`
  let id = ObjectID.hashing(Array("abc".utf8))
  #expect(id.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  #expect(ObjectID(hex: id.hex) == id)
  #expect(ObjectID(hex: "xyz") == nil)
}
