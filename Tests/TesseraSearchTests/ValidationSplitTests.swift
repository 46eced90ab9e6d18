import Foundation
import Testing
import TesseraImage
import TesseraStore
import TesseraAugment
@testable import TesseraSearch

struct ValidationSplitTests {
  @Test func fractionIsRoughlyRightAndAssignmentDependsOnlyOnThePath() {
    let paths = (0..<5000).map { "train/c\($0 % 7)/\($0).png" }
    let held = paths.filter { ValidationSplit.isValidation($0, fraction: 0.1) }
    #expect(abs(Double(held.count) / 5000 - 0.1) < 0.02)
    #expect(held == paths.filter { ValidationSplit.isValidation($0, fraction: 0.1) })
    // A larger fraction holds out a superset.
    #expect(Set(held).isSubset(of: Set(paths.filter { ValidationSplit.isValidation($0, fraction: 0.3) })))
  }

  @Test func splitsAreDisjointStableAcrossVersionsAndKeepTestApart() throws {
    let fixture = try SearchFixture(trainPerClass: 30, testPerClass: 5)
    defer { fixture.remove() }
    let store = fixture.store
    let v1 = try store.resolve("v1")
    let first = try SearchData.load(store, commit: v1, validationFraction: 0.2, subset: nil)
    #expect(first.train.count + first.validation.count == 120)
    #expect(first.test.count == 20)
    let validationPaths = Set((0..<first.validation.count).map { first.validation.describe($0) })
    let trainPaths = Set(first.trainPaths)
    #expect(validationPaths.isDisjoint(with: trainPaths))
    #expect(validationPaths.allSatisfy { $0.hasPrefix("train/") })

    // A second version with more files: old files keep their split.
    var rng = SplitMix64(seed: 99)
    for i in 0..<20 {
      let image = SearchFixture.image(label: i % 4, rng: &rng)
      try fixture.directory.write(try encodePNG(image), to: "train/\(SearchFixture.classNames[i % 4])/new\(i).png")
    }
    try store.add([])
    let v2 = try store.commit(message: "more").id
    let second = try SearchData.load(store, commit: v2, validationFraction: 0.2, subset: nil)
    let validation2 = Set((0..<second.validation.count).map { second.validation.describe($0) })
    #expect(validationPaths.isSubset(of: validation2))
    #expect(trainPaths.isSubset(of: Set(second.trainPaths)))

    // --subset keeps a prefix of the same fixed order.
    let small = try SearchData.load(store, commit: v2, validationFraction: 0.2, subset: 40)
    #expect(small.train.count == 40)
    #expect(small.trainPaths == Array(second.trainPaths.prefix(40)))
    #expect(small.validation.count == second.validation.count)
  }
}
