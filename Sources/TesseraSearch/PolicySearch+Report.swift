import Foundation
import TesseraAugment
import TesseraImage
import TesseraStore
import TesseraTrain

extension PolicySearch {
  /// The policy file of the winner, with provenance. A mixing-only winner (the `mix` space) has no
  /// per-image ops: its file holds an identity pipeline and names the mixing in its description;
  /// the mixer itself goes to `best-mixing.json` (policy files have no field for batch mixing).
  func policyFile(_ outcome: SearchOutcome) -> PolicyFile {
    let c = configuration
    var description = "Found by tessera search \(id): \(c.algorithm.rawValue) over the \(c.space.rawValue) space on \(c.revision) (\(c.commit.prefix(12))), M_val = \(c.objective) of \(c.model). Winner: \(outcome.winner.name)."
    if let schedule = outcome.schedule, schedule.count > 1 {
      description += " PBT schedule (one entry per \(c.interval) epoch(s)): " + schedule.map(\.name).joined(separator: " → ") + "; this file holds the last entry."
    }
    if let m = outcome.winner.mixer {
      description += " Batch mixing: MixUp α=\(m.mixUpAlpha.short), CutMix α=\(m.cutMixAlpha.short), p=\(m.probability.short) (see best-mixing.json)."
    }
    let policy = outcome.winner.policy ?? .pipeline(PipelinePolicy(root: .op(OpStep(.identity))))
    return PolicyFile(
      name: "search-\(id)", description: description, policy: policy,
      provenance: Provenance(source: "tessera search \(id)", datasetVersion: c.commit, searchId: id,
                             metric: c.objective.argument, value: outcome.validationScore))
  }

  func writeReport(outcome: SearchOutcome, final: [SearchReport.FinalResult], to out: URL) throws -> SearchReport {
    let fm = FileManager.default
    try fm.createDirectory(at: out, withIntermediateDirectories: true)
    var files: [String: String] = [:]
    let policyName = "best-policy.json"
    try writeFileAtomically(policyFile(outcome).encoded(), to: out.appendingPathComponent(policyName))
    files["policy"] = policyName
    if let mixer = outcome.winner.mixer {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try writeFileAtomically(encoder.encode(mixer), to: out.appendingPathComponent("best-mixing.json"))
      files["mixing"] = "best-mixing.json"
    }
    let trials = try ledger.trials(of: id)
    let searchTrials = trials.filter { $0.phase == .search && $0.status == .finished }
    let finalTrials = trials.filter { $0.phase == .final && $0.status == .finished }
    let summaries = searchTrials.map { t in
      SearchReport.Trial(number: t.number, key: t.key, name: t.name, rung: t.rung, epochs: t.epochs,
                         trainImages: t.trainImages, score: t.score ?? 0, accuracy: t.accuracy ?? 0,
                         cpuSeconds: t.cpuSeconds ?? 0, augmentMicrosPerImage: t.augmentMicros ?? 0)
    }
    try writePNG(mValPlot(summaries), to: out.appendingPathComponent("mval.png"))
    files["mvalPlot"] = "mval.png"
    var points: [ParetoFront.Point]?, front: [ParetoFront.Point]?
    if configuration.pareto {
      // Scores are comparable only at one fidelity: every candidate's rung-0 trial (ASHA), the last
      // generation (PBT), every trial (random search: all at full fidelity).
      let comparable: [SearchReport.Trial]
      switch configuration.algorithm {
      case .random: comparable = summaries
      case .asha: comparable = summaries.filter { $0.rung == 0 }
      case .pbt:
        let last = summaries.compactMap(\.rung).max()
        comparable = summaries.filter { $0.rung == last }
      }
      let all = comparable.map { ParetoFront.Point(key: $0.key, name: $0.name, cost: $0.augmentMicrosPerImage, score: $0.score) }
        .sorted { $0.key < $1.key }
      points = all
      front = ParetoFront.front(all)
      try writePNG(paretoPlot(all, front: front!), to: out.appendingPathComponent("pareto.png"))
      files["paretoPlot"] = "pareto.png"
    }
    try writePNG(try sampleGrid(outcome.winner), to: out.appendingPathComponent("samples.png"))
    files["samples"] = "samples.png"
    files["markdown"] = "report.md"
    files["json"] = "report.json"

    let overhead = max(0, CPUClock.processSeconds() - processCPUAtStart
                         - trialsRunHere(trials).cpu)
    let bill = ComputeBill(
      searchTrials: searchTrials.count, searchCPUSeconds: searchTrials.reduce(0) { $0 + ($1.cpuSeconds ?? 0) },
      searchWallSeconds: searchTrials.reduce(0) { $0 + ($1.wallSeconds ?? 0) }, finalTrials: finalTrials.count,
      finalCPUSeconds: finalTrials.reduce(0) { $0 + ($1.cpuSeconds ?? 0) },
      finalWallSeconds: finalTrials.reduce(0) { $0 + ($1.wallSeconds ?? 0) }, overheadCPUSeconds: overhead)
    let winnerTrial = searchTrials.first { $0.key == outcome.winnerKey }
    let report = SearchReport(
      searchId: id, revision: configuration.revision, datasetVersion: configuration.commit, origin: data.origin,
      objective: configuration.objective.description, configuration: configuration, trainImages: data.train.count,
      validationImages: data.validation.count, testImages: data.test.count, classNames: data.classNames,
      winner: SearchReport.Winner(name: outcome.winner.name, trialKey: outcome.winnerKey,
                                  validationScore: outcome.validationScore, schedule: outcome.schedule?.map(\.name),
                                  augmentMicrosPerImage: winnerTrial?.augmentMicros ?? 0),
      trials: summaries, final: final, versusTrivialAugment: compare(final),
      comparisons: Baselines.all.compactMap { compare(final, with: $0.name) }, paretoPoints: points, paretoFront: front,
      bill: bill, files: files)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    try writeFileAtomically(encoder.encode(report), to: out.appendingPathComponent("report.json"))
    try writeFileAtomically(Data(report.markdown.utf8), to: out.appendingPathComponent("report.md"))
    return report
  }

  /// CPU-seconds of the trials this process ran (for the overhead line).
  private func trialsRunHere(_ trials: [TrialRecord]) -> (cpu: Double, count: Int) {
    // Trials finished after this process started are ours; earlier ones were reused.
    let cutoff = processStart
    let mine = trials.filter { ($0.finishedAt ?? .distantPast) >= cutoff }
    return (mine.reduce(0) { $0 + ($1.cpuSeconds ?? 0) }, mine.count)
  }

  func writePNG(_ image: Image, to url: URL) throws {
    try writeFileAtomically(Data(try encodePNG(image)), to: url)
  }

  /// M_val of every search trial in order, coloured by rung or generation, with the running best
  /// of the top-fidelity trials as a black step line.
  func mValPlot(_ trials: [SearchReport.Trial]) -> Image {
    let palette = [Canvas.blue, Canvas.orange, Canvas.green, Canvas.red, Canvas.purple]
    var byRung: [Int: [(x: Double, y: Double)]] = [:]
    for t in trials { byRung[t.rung ?? 0, default: []].append((Double(t.number), t.score)) }
    var series = byRung.keys.sorted().map { r in
      Plot.Series(points: byRung[r]!, color: palette[r % palette.count])
    }
    let topRung = trials.compactMap(\.rung).max()
    var running = -Double.infinity
    var best: [(x: Double, y: Double)] = []
    for t in trials where t.rung == topRung || topRung == nil || configuration.algorithm == .pbt {
      if t.score > running { running = t.score }
      best.append((Double(t.number), running))
    }
    series.append(Plot.Series(points: best, color: Canvas.black, dots: false, connect: true, stepwise: true))
    return Plot(series: series).render()
  }

  func paretoPlot(_ points: [ParetoFront.Point], front: [ParetoFront.Point]) -> Image {
    var plot = Plot(series: [
      Plot.Series(points: points.map { ($0.cost, $0.score) }, color: Canvas.grey),
      Plot.Series(points: front.map { ($0.cost, $0.score) }, color: Canvas.red, connect: true, stepwise: true),
    ])
    plot.xFormat = "%.1f"
    return plot.render()
  }

  /// Rows of training images (one per class, up to 8), the original first and then 8 augmented
  /// versions by the winner. Without batch mixing this is TesseraAugment's `PreviewGrid`; with it,
  /// each column is one mixed batch of the rows.
  func sampleGrid(_ winner: Candidate) throws -> Image {
    var rows: [Int] = []
    var seen = Set<Int>()
    for i in 0..<data.train.count where rows.count < 8 {
      let label = data.train.label(at: i)
      if !seen.contains(label) { seen.insert(label); rows.append(i) }
    }
    for i in 0..<data.train.count where rows.count < min(8, data.train.count) && !rows.contains(i) { rows.append(i) }
    let images = try rows.map { try data.train.image(at: $0) }
    let zoom = max(1, 64 / max(images[0].width, 1))
    let samples = 8
    guard let mixer = winner.mixer else {
      let policy: Policy = winner.policy ?? .pipeline(PipelinePolicy(root: .op(OpStep(.identity))))
      return PreviewGrid.make(images: images, policy: policy, seed: configuration.seed, samples: samples, zoom: zoom)
    }
    var columns: [[Image]] = [images]
    for column in 0..<samples {
      var augmented = images
      if let policy = winner.policy {
        for r in images.indices {
          var rng = SplitMix64(seed: configuration.seed, index: UInt64(r * samples + column))
          augmented[r] = policy.augment(images[r], partners: images, using: &rng).image
        }
      }
      var rng = SplitMix64(seed: configuration.seed ^ 0x4D49_58, index: UInt64(column))
      columns.append(mixer.mix(augmented, labels: Array(repeating: 0, count: images.count), classCount: 2, using: &rng).images)
    }
    return Self.grid(rows: images.indices.map { r in columns.map { $0[r] } }, zoom: zoom)
  }

  /// Cells side by side with a grey 2-pixel gap, upscaled by `zoom` (nearest), grey or RGB.
  static func grid(rows: [[Image]], zoom: Int, gap: Int = 2) -> Image {
    let channels = rows.joined().contains { $0.channels >= 3 } ? 3 : 1
    let cellW = rows.joined().map(\.width).max()! * zoom, cellH = rows.joined().map(\.height).max()! * zoom
    let columns = rows.map(\.count).max()!
    let width = columns * cellW + (columns + 1) * gap, height = rows.count * cellH + (rows.count + 1) * gap
    var grid = Image(width: width, height: height, channels: channels, filledWith: 128)
    for (r, row) in rows.enumerated() {
      for (c, cell) in row.enumerated() {
        let x0 = gap + c * (cellW + gap), y0 = gap + r * (cellH + gap)
        for y in 0..<(cell.height * zoom) {
          for x in 0..<(cell.width * zoom) {
            let s = ((y / zoom) * cell.width + x / zoom) * cell.channels
            let d = ((y0 + y) * width + x0 + x) * channels
            for k in 0..<channels { grid.pixels[d + k] = cell.pixels[s + min(k, cell.channels - 1)] }
          }
        }
      }
    }
    return grid
  }
}
