import Testing
@testable import TesseraTrain

@Test func zerosHasShapeProductElements() {
  let t = Tensor(zeros: [2, 3, 4])
  #expect(t.count == 24)
  #expect(t.storage.allSatisfy { $0 == 0 })
}
