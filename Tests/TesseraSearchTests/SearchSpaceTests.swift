import Foundation
import Testing
import TesseraAugment
@testable import TesseraSearch

struct SearchSpaceTests {
  /// Every sampled or perturbed candidate must be a valid policy file: encode, decode, compare.
  func roundTrips(_ candidate: Candidate) throws {
    if let policy = candidate.policy {
      let file = PolicyFile(name: "t", policy: policy)
      #expect(try PolicyFile.decode(try file.encoded()) == file)
    }
    #expect(try Candidate.decode(json: try candidate.json()) == candidate)
  }

  @Test(arguments: SearchSpace.allCases)
  func samplesAndPerturbationsAreValidAndStayInTheSpace(space: SearchSpace) throws {
    var rng = SplitMix64(seed: 11)
    for _ in 0..<40 {
      let c = space.sample(using: &rng)
      try roundTrips(c)
      let p = space.perturb(c, using: &rng)
      try roundTrips(p)
      switch space {
      case .autoAugment:
        guard case let .autoAugment(a)? = p.policy else { Issue.record("not AutoAugment: \(p.name)"); return }
        #expect(a.subPolicies.count == SearchSpace.subPolicies && a.subPolicies.allSatisfy { $0.count == 2 })
        for op in a.subPolicies.joined() {
          #expect(SearchSpace.autoAugmentOps.contains(op.op) && (0...1).contains(op.probability))
          #expect(op.magnitude.map { (0...9).contains($0) } ?? op.op.isParameterless)
        }
      case .randAugment:
        guard case let .randAugment(r)? = p.policy else { Issue.record("not RandAugment: \(p.name)"); return }
        #expect((1...3).contains(r.numOps) && (0...30).contains(r.level))
      case .trivialAugment:
        guard case let .trivialAugment(t)? = p.policy else { Issue.record("not TrivialAugment: \(p.name)"); return }
        #expect(t.ops.count >= 2 && Set(t.ops).isSubset(of: OpName.torchvisionRandAugmentOps))
      case .mix:
        let m = try #require(p.mixer)
        #expect(p.policy == nil)
        #expect(m.mixUpAlpha > 0 || m.cutMixAlpha > 0)
        #expect((0.1...1).contains(m.probability))
      }
    }
  }

  @Test func samplingIsDeterministicForASeed() {
    for space in SearchSpace.allCases {
      var a = SplitMix64(seed: 5, index: 3), b = SplitMix64(seed: 5, index: 3)
      #expect(space.sample(using: &a) == space.sample(using: &b))
    }
  }

  @Test func publishedAutoAugmentMatchesTheShippedPolicyFile() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("policies/autoaugment-cifar10.json")
    let shipped = try PolicyFile.load(contentsOf: url)
    #expect(shipped.policy == .autoAugment(Baselines.autoAugmentCIFAR10))
    #expect(Baselines.all.count == 4 && Baselines.all[0].policy == nil && Baselines.all[0].mixer == nil)
  }
}
