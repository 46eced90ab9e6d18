import Foundation

extension SearchReport {
  private static func pct(_ x: Double) -> String { String(format: "%.2f", x * 100) }

  private static func interval(_ i: Statistics.Interval, percent: Bool) -> String {
    let f: (Double) -> String = percent ? { pct($0) } : { String(format: "%.4f", $0) }
    guard i.count > 1, i.low.isFinite else { return "\(f(i.mean)) (1 seed, no interval)" }
    return "\(f(i.mean)) ± \(f(i.halfWidth)) [\(f(i.low)), \(f(i.high))]"
  }

  /// The report as Markdown: setup, winner against baselines with intervals, the verdict against
  /// TrivialAugmentWide, trials, Pareto front, compute bill and the pictures.
  public var markdown: String {
    let c = configuration
    var md = "# Augmentation policy search \(searchId)\n\n"
    md += "| | |\n|---|---|\n"
    md += "| dataset version | `\(revision)` = `\(datasetVersion)` |\n"
    md += "| data | \(trainImages) training / \(validationImages) validation (carved from train by a hash of each path, \(Int(c.validationFraction * 100)) %) / \(testImages) test images, \(classNames.count) classes |\n"
    md += "| space, algorithm | \(c.space.rawValue), \(c.algorithm.rawValue) |\n"
    md += "| budget | \(c.budget) (spent: \(bill.searchTrials) trials, \(String(format: "%.1f", bill.searchCPUSeconds)) CPU-s, \(String(format: "%.1f", bill.searchWallSeconds)) s wall) |\n"
    md += "| M_val | \(objective) on the validation split |\n"
    md += "| model, fidelity | \(c.model); search up to \(c.epochs) epochs, final \(c.finalEpochCount) epochs; batch \(c.batchSize), lr \(c.learningRate) |\n"
    switch c.algorithm {
    case .asha: md += "| ASHA | η = \(c.eta), \(c.rungs) rungs (epochs and images each scale with √ of the rung's resource) |\n"
    case .pbt: md += "| PBT | population \(c.population), exploit/explore every \(c.interval) epoch(s); losers copy a winner's weights |\n"
    case .random: break
    }
    md += "\n## Winner\n\n**\(winner.name)** — M_val \(String(format: "%.4f", winner.validationScore)) (trial `\(winner.trialKey)`), augmentation \(String(format: "%.1f", winner.augmentMicrosPerImage)) µs CPU per image. Policy file: `\(files["policy"] ?? "")`"
    md += files["mixing"].map { ", batch mixing: `\($0)`" } ?? ""
    md += ".\n"
    if let schedule = winner.schedule, schedule.count > 1 {
      md += "\nPBT schedule (one entry per \(c.interval) epoch(s)):\n\n"
      for (g, name) in schedule.enumerated() { md += "\(g + 1). \(name)\n" }
    }
    if final.isEmpty {
      md += "\n## Test split\n\nNot evaluated (final re-training was skipped).\n"
    } else {
      md += "\n## Winner against baselines (test split, \(final.first?.seeds.count ?? 0) seeds, mean ± 95 % t-interval)\n\n"
      md += "Same protocol for every row: the search's \(trainImages) training images, \(c.finalEpochCount) epochs, seeds \(final.first?.seeds.map(String.init).joined(separator: ", ") ?? "").\n\n"
      md += "| policy | \(objective) (test) | accuracy % | macro-F1 | ECE | aug µs/img | CPU-s |\n|---|---|---|---|---|---|---|\n"
      for r in final {
        md += "| \(r.isWinner ? "**\(r.name)**" : r.name) | \(Self.interval(r.score, percent: false)) | \(Self.interval(r.accuracy, percent: true)) | \(String(format: "%.4f", r.macroF1)) | \(String(format: "%.4f", r.ece)) | \(String(format: "%.1f", r.augmentMicrosPerImage)) | \(String(format: "%.1f", r.cpuSeconds)) |\n"
      }
      if let v = versusTrivialAugment { md += "\n**\(v.verdict)**\n" }
      if !comparisons.isEmpty {
        md += "\n| winner − baseline | difference (Welch 95 % interval) | |\n|---|---|---|\n"
        for v in comparisons {
          let d = v.difference
          let range = d.low.isFinite ? String(format: "%+.4f [%+.4f, %+.4f]", d.mean, d.low, d.high) : String(format: "%+.4f", d.mean)
          md += "| \(v.baseline) | \(range) | \(v.winnerIsBetter ? (v.significant ? "better" : "ahead, not significant") : (v.significant ? "worse" : "behind, not significant")) |\n"
        }
      }
      if (final.first?.seeds.count ?? 0) < 3 {
        md += "\nFewer than 3 seeds: the intervals are too wide to separate policies; use --seeds 3 or more.\n"
      }
    }
    md += "\n## Search trials\n\n![M_val over trials](\(files["mvalPlot"] ?? "mval.png"))\n\n"
    md += "Dots: M_val of each trial by \(c.algorithm == .pbt ? "generation" : "rung") (blue, orange, green, …); black line: best so far\(c.algorithm == .asha ? " on the top rung" : "").\n\n"
    md += "| # | key | fidelity | M_val | accuracy % | CPU-s | aug µs/img | candidate |\n|---|---|---|---|---|---|---|---|\n"
    for t in trials.sorted(by: { $0.number < $1.number }) {
      md += "| \(t.number) | `\(t.key)` | \(t.epochs) ep × \(t.trainImages) | \(String(format: "%.4f", t.score)) | \(Self.pct(t.accuracy)) | \(String(format: "%.1f", t.cpuSeconds)) | \(String(format: "%.1f", t.augmentMicrosPerImage)) | \(t.name) |\n"
    }
    if let front = paretoFront, let points = paretoPoints {
      md += "\n## Pareto front: M_val against augmentation CPU cost\n\n![Pareto front](\(files["paretoPlot"] ?? "pareto.png"))\n\n"
      md += "\(points.count) candidates at one fidelity (\(c.algorithm == .asha ? "ASHA rung 0" : c.algorithm == .pbt ? "the last PBT generation" : "full fidelity")), \(front.count) on the front (grey: all; red: the front; x: µs CPU per image, y: M_val).\n\n"
      md += "| aug µs/img | M_val | candidate |\n|---|---|---|\n"
      for p in front { md += "| \(String(format: "%.1f", p.cost)) | \(String(format: "%.4f", p.score)) | \(p.name) |\n" }
    }
    md += "\n## Augmented samples\n\n![samples](\(files["samples"] ?? "samples.png"))\n\nFirst column: the training image; then 8 draws of the winner.\n"
    md += "\n## Compute bill\n\n"
    md += "| part | trials | CPU-s | wall s |\n|---|---|---|---|\n"
    md += "| search | \(bill.searchTrials) | \(String(format: "%.1f", bill.searchCPUSeconds)) | \(String(format: "%.1f", bill.searchWallSeconds)) |\n"
    md += "| final evaluation | \(bill.finalTrials) | \(String(format: "%.1f", bill.finalCPUSeconds)) | \(String(format: "%.1f", bill.finalWallSeconds)) |\n"
    md += "| overhead (loading, report) | | \(String(format: "%.1f", bill.overheadCPUSeconds)) | |\n"
    md += "| **total** | | **\(String(format: "%.1f", bill.totalCPUSeconds))** | |\n\n"
    md += "CPU-seconds are user + system time of all threads (`getrusage`). Energy estimate: \(String(format: "%.3f", bill.energyWattHours)) Wh, assuming \(String(format: "%.0f", bill.wattsPerCore)) W per busy core.\n"
    return md
  }
}
