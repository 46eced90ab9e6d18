import Foundation
import Testing
import TesseraImage
@testable import TesseraAugment

struct DeterminismTests {
  static let batch: [Image] = (0..<12).map { TestImages.gradient(width: 20, height: 18, channels: 3, seed: $0) }

  static let policies: [Policy] = PolicyFileTests.everyKind().map(\.policy) + [
    .randAugment(RandAugmentPolicy(ops: OpName.allCases.filter(\.takesMagnitude))),
  ]

  @Test func sameSeedAndIndexGiveTheSameBytesOnAnyThreadCount() {
    for policy in Self.policies {
      let one = augmentBatch(Self.batch, policy: policy, seed: 77, threads: 1)
      let two = augmentBatch(Self.batch, policy: policy, seed: 77, threads: 2)
      let five = augmentBatch(Self.batch, policy: policy, seed: 77, threads: 5)
      #expect(one == two && two == five, "\(policy.kind) depends on the thread count")
    }
  }

  @Test func batchSplitsDoNotChangeResults() {
    let policy = Policy.trivialAugment(TrivialAugmentPolicy())
    let whole = augmentBatch(Self.batch, policy: policy, seed: 5)
    let first = augmentBatch(Array(Self.batch[0..<5]), policy: policy, seed: 5, firstIndex: 0)
    let second = augmentBatch(Array(Self.batch[5...]), policy: policy, seed: 5, firstIndex: 5)
    #expect(whole.images == first.images + second.images)
    #expect(whole.applied == first.applied + second.applied)
  }

  @Test func samplesGetDifferentParametersAndSeedsDiffer() {
    let policy = Policy.trivialAugment(TrivialAugmentPolicy())
    let a = augmentBatch(Self.batch, policy: policy, seed: 1)
    #expect(Set(a.applied).count > 6)
    let b = augmentBatch(Self.batch, policy: policy, seed: 2)
    #expect(a.applied != b.applied)
  }

  @Test func recordedOpsReplayThroughJSONToTheSameBytes() throws {
    for policy in Self.policies {
      let result = augmentBatch(Self.batch, policy: policy, seed: 11, firstIndex: 100)
      let json = try JSONEncoder().encode(result.applied)
      let records = try JSONDecoder().decode([[AppliedOp]].self, from: json)
      #expect(records == result.applied)
      #expect(replayBatch(Self.batch, applied: records) == result.images, "\(policy.kind) does not replay")
    }
  }

  @Test func autoAugmentAppliesOpsAtTheirProbabilities() {
    let policy = AutoAugmentPolicy(subPolicies: [[PolicyOp(.invert, probability: 0.3),
                                                  PolicyOp(.rotate, probability: 0.8, magnitude: 4)]])
    var rng = SplitMix64(seed: 8)
    var inverts = 0, rotates = 0
    let target = MagnitudeConvention.Target(width: 8, height: 8, channels: 1)
    for _ in 0..<5000 {
      for op in policy.sample(for: target, using: &rng) {
        if case .invert = op { inverts += 1 }
        if case .rotate = op { rotates += 1 }
      }
    }
    #expect(abs(inverts - 1500) < 150)
    #expect(abs(rotates - 4000) < 150)
  }

  @Test func randAugmentAppliesNOpsAtMagnitudeM() {
    let policy = RandAugmentPolicy(numOps: 3, level: 30, ops: [.shearX])
    var rng = SplitMix64(seed: 4)
    let ops = policy.sample(for: .init(width: 8, height: 8, channels: 1), using: &rng)
    #expect(ops.count == 3)
    for op in ops {
      guard case let .shearX(f, _) = op else { Issue.record("expected ShearX"); continue }
      #expect(abs(abs(f) - 0.3) < 1e-7)
    }
  }

  @Test func augMixWeightsSumToOne() {
    var rng = SplitMix64(seed: 21)
    for _ in 0..<50 {
      let ops = AugMixPolicy().sample(for: .init(width: 16, height: 16, channels: 3), using: &rng)
      guard case let .augMix(m0, chains) = ops.first else { Issue.record("expected one AugMix op"); return }
      #expect(chains.count == 3)
      #expect(chains.allSatisfy { (1...3).contains($0.ops.count) })
      #expect(abs(m0 + chains.map(\.weight).reduce(0, +) - 1) < 1e-9)
    }
  }
}
