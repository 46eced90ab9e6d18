import ArgumentParser
import Foundation
import TesseraAugment
import TesseraImage
import TesseraSearch
import TesseraStore
import TesseraTrain

/// `tessera demo`: the three workflows end to end on Fashion-MNIST — version the data, search a
/// policy against the baselines, apply it — leaving a report with pictures. Each step is the
/// library call the matching command makes; this file only strings them together and prints.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "demo", 
    abstract: "Import Fashion-MNIST, version it, search a policy on a short budget, compare it with the baselines, apply it.",
    discussion: """
      The README's main job, in six steps with progress throughout:
        1. tessera import fashion-mnist  (the IDX files of Debian's dataset-fashion-mnist → PNG folders)
        2. tessera init / add / commit / tag v1  (a store in OUT/fashion-mnist)
        3. tessera search  (--space, random search, --budget of search trials on --subset images)
        4. the winner against no augmentation, TrivialAugmentWide, RandAugment(2, 9) and AutoAugment \
      CIFAR-10, re-trained with --seeds seeds and scored on the test split
        5. tessera augment  (the winner applied to the train split as a new version on its own branch) and \
      tessera policy export --to torchvision
        6. OUT/REPORT.md: the table, the verdict, the compute bill and pictures (augmented samples, M_val \
      over trials), with the commands that reproduce each step.

      With the defaults the whole run takes about 8-10 minutes on 2 cores. OUT must be new, empty, or \
      the folder of an earlier demo: then the versioned dataset is reused, and the search, report and \
      exported policy of the new run replace the earlier ones (earlier searches stay in the ledger, \
      earlier augmented versions on their branches).

      Examples:
        tessera demo --out tessera-demo
        tessera demo --out tessera-demo --budget 20m --subset 20000 --epochs 10
      """)

  @Option(help: "Folder for the dataset, its store, the search outputs and REPORT.md.")
  var out: String = "tessera-demo"

  @Option(help: "Folder holding Fashion-MNIST's four IDX files.")
  var from: String = FashionMNIST.defaultSourcePath

  @Option(help: "Search space: autoaugment, randaugment or trivialaugment.")
  var space: SearchSpace = .randAugment

  @Option(help: "Wall time (5m), CPU-seconds (600cpu) or trial count (20trials) for the search trials.")
  var budget: String = "5m"

  @Option(help: "Training images per trial (a fixed, hash-ordered subset of the training split).")
  var subset: Int = 10000

  @Option(help: "Epochs per search trial and per final run.")
  var epochs: Int = 8

  @Option(help: "Seeds of the final re-training of the winner and each baseline.")
  var seeds: Int = 3

  @Option(help: "Model: \(ModelSpec.names.joined(separator: ", ")).")
  var model: String = "cnn-s"

  @Option(help: "Augmented copies per training image in the applied version.")
  var copies: Int = 1

  @Option(help: "Seed of the search, the training runs and the applied augmentation.")
  var seed: UInt64 = 0

  @Option(help: "Training threads (default: all cores; speed only).")
  var threads: Int?

  @Flag(help: "Print a summary as JSON at the end (progress goes to stderr).")
  var json = false

  func validate() throws {
    guard space != .mix else {
      throw ValidationError("--space: the demo applies a per-image policy; choose autoaugment, randaugment or trivialaugment")
    }
    _ = try Budget(parsing: budget)
    if subset < 10 { throw ValidationError("--subset: must be at least 10, got \(subset)") }
    if epochs < 1 { throw ValidationError("--epochs: must be at least 1, got \(epochs)") }
    if seeds < 1 { throw ValidationError("--seeds: must be at least 1, got \(seeds)") }
    if !(1...100).contains(copies) { throw ValidationError("--copies: must be in 1...100, got \(copies)") }
    if let threads, threads < 1 { throw ValidationError("--threads: must be at least 1, got \(threads)") }
    guard ModelSpec.names.contains(model) else {
      throw ValidationError("--model: unknown model '\(model)'; one of \(ModelSpec.names.joined(separator: ", "))")
    }
  }

  static let markerName = ".tessera-demo"
  static let stepCount = 6

  func run() throws {
    let started = Date()
    let cpuAtStart = CPUClock.processSeconds()
    // Progress goes to stdout unbuffered (visible through pipes), or to stderr when stdout carries JSON.
    let say: (String) -> Void = { [json] line in
      (json ? FileHandle.standardError : FileHandle.standardOutput).write(Data((line + "\n").utf8))
    }
    var stepStarted = Date()
    func step(_ number: Int, _ title: String) {
      stepStarted = Date()
      say("\n[\(number)/\(Self.stepCount)] \(title)")
    }
    func done(_ detail: String) {
      say("      " + detail + String(format: "  (%.1f s)", Date().timeIntervalSince(stepStarted)))
    }

    let outURL = URL(fileURLWithPath: out, isDirectory: true).standardizedFileURL
    let reusing = try prepareOutputFolder(outURL)
    let dataURL = outURL.appendingPathComponent("fashion-mnist", isDirectory: true)
    let searchURL = outURL.appendingPathComponent("search", isDirectory: true)
    say("Tessera demo in \(outURL.path): version Fashion-MNIST, search a \(space.rawValue) policy "
        + "(budget \(budget) for the search trials), compare it with 4 baselines on \(seeds) seeds, apply it.")

    // 1-2. The data, versioned. An earlier demo's version v1 is reused as it is.
    let store: Store
    let version: String
    // Only a store in the data folder itself counts: Store.open would also find one in a parent folder.
    let hasStore = FileManager.default.fileExists(atPath: dataURL.appendingPathComponent(".tessera").path)
    if reusing, hasStore, let existing = try? Store.open(at: dataURL.path), let v1 = try? existing.resolve("v1") {
      step(1, "Import Fashion-MNIST: done by an earlier run in this folder")
      step(2, "Version it: reusing version v1 (\(v1.prefix(12))) of \(dataURL.path)")
      store = existing
      version = v1
    } else {
      step(1, "Import Fashion-MNIST from \(from) → \(dataURL.path)")
      let progress = ProgressLine("writing PNGs")
      let importer = FashionMNISTImporter(source: URL(fileURLWithPath: from), destination: dataURL, overwrite: reusing)
      let summary: ImportSummary
      do {
        summary = try importer.run(progress: { progress.update($0, $1) })
      } catch {
        progress.finish()
        throw CLIMessage("\(error) (Fashion-MNIST comes from Debian's dataset-fashion-mnist package, which "
                         + "scripts/setup.sh installs; or pass --from DIR)")
      }
      progress.finish()
      let splits = summary.images.sorted { $0.key > $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
      done("\(summary.files) PNGs (\(splits); \(ByteFormat.string(Int64(summary.bytes))))")

      step(2, "Version it: tessera init, add, commit, tag v1")
      let fresh = try hasStore ? Store.open(at: dataURL.path) : Store.initialize(at: dataURL.path)
      let hashing = ProgressLine("hashing")
      let added = try fresh.add([], progress: { hashing.update($0, $1) })
      hashing.finish()
      let info = try fresh.commit(message: "Fashion-MNIST as published (imported by tessera demo)")
      try fresh.createTag("v1", at: info.id)
      done("\(added.added) files, \(added.newObjects) distinct objects → version \(info.id.prefix(12)) tagged v1 "
           + "(a git commit in \(dataURL.lastPathComponent)/.tessera/git)")
      store = fresh
      version = info.id
    }

    // 3-4. Search, then the final re-training of the winner beside the baselines (PolicySearch does both).
    step(3, "Search: \(space.rawValue) space, random search, budget \(budget), \(subset) training images and "
         + "\(epochs) epoch\(epochs == 1 ? "" : "s") of \(model) per trial; every trial is recorded in .tessera/search.sqlite")
    var configuration = SearchConfiguration(revision: "v1", space: space, algorithm: .random,
                                            budget: try Budget(parsing: budget))
    configuration.model = model
    configuration.subset = subset
    configuration.epochs = epochs
    configuration.seeds = seeds
    configuration.seed = seed
    configuration.pareto = true
    if let threads { configuration.threads = threads }
    let search = try PolicySearch.start(store: store, configuration: configuration, log: { say("      " + $0) })
    say("      search \(search.id); after an interruption: cd \(dataURL.path) && tessera search --resume \(search.id)")
    let report = try search.run(outputDirectory: searchURL)
    done("search and final evaluation finished")

    step(4, "The winner against the baselines: test split, \(seeds) seeds each, mean ± 95 % t-interval")
    let table = Self.comparisonTable(report)
    for line in table { say("      " + line) }
    let verdict = report.versusTrivialAugment?.verdict ?? "Only one seed: no interval, no verdict."
    say("      " + verdict)

    // 5. Apply: the winner as a new version, and exported for torchvision.
    let policyURL = searchURL.appendingPathComponent(report.files["policy"] ?? "best-policy.json")
    let policyBytes = try Data(contentsOf: policyURL)
    let policy = try PolicyFile.decode(policyBytes, file: policyURL.path)
    let branch = "demo/applied-\(search.id)"
    step(5, "Apply the winner: tessera augment --policy \(policyURL.lastPathComponent) --rev v1 --copies \(copies) "
         + "→ branch \(branch)")
    let job = VersionAugmentation(policy: policy, policySHA256: ObjectID.hashing(policyBytes).hex, seed: seed,
                                  copies: copies, split: "train")
    let augmenting = ProgressLine("augmenting")
    let applied = try job.apply(to: store, revision: "v1", policyPath: policyURL.path, branch: branch,
                                progress: { augmenting.update($0, $1) })
    augmenting.finish()
    done("version \(applied.version.prefix(12)): v1 plus \(applied.augmentedFiles) augmented copies "
         + "(\(applied.distinctNewObjects) new objects, \(ByteFormat.string(Int64(applied.bytes))))")
    let exportURL = outURL.appendingPathComponent("best_policy_torchvision.py")
    var exportNote: String
    do {
      let exported = try policy.export(to: .torchvision)
      try writeFileAtomically(Data(exported.text.utf8), to: exportURL)
      exportNote = "torchvision code: \(exportURL.path)"
      if !exported.limitations.isEmpty { exportNote += " (differences: " + exported.limitations.joined(separator: "; ") + ")" }
    } catch let error as PolicyExportError {
      exportNote = "not exported to torchvision: \(error.reason)"
    }
    say("      " + exportNote)

    // 6. The report.
    step(6, "Report")
    let seconds = Date().timeIntervalSince(started)
    let cpu = CPUClock.processSeconds() - cpuAtStart
    let summary = DemoSummary(
      folder: outURL.path, store: dataURL.path, version: version, searchId: search.id, winner: report.winner.name,
      policyFile: policyURL.path, searchReport: searchURL.appendingPathComponent("report.md").path,
      verdict: verdict, augmentedVersion: applied.version, augmentedBranch: branch,
      torchvisionExport: FileManager.default.fileExists(atPath: exportURL.path) ? exportURL.path : nil,
      report: outURL.appendingPathComponent("REPORT.md").path, seconds: seconds, cpuSeconds: cpu,
      final: report.final.map { .init(name: $0.name, accuracyMean: $0.accuracy.mean, accuracyHalfWidth: $0.accuracy.halfWidth) })
    let markdown = Self.markdown(summary: summary, report: report, table: table, applied: applied,
                                 exportNote: exportNote, demo: self)
    try writeFileAtomically(Data(markdown.utf8), to: URL(fileURLWithPath: summary.report))
    say("      \(summary.report)")
    say("      pictures: \(["samples", "mvalPlot", "paretoPlot"].compactMap { report.files[$0] }.map { "search/" + $0 }.joined(separator: ", "))")
    say(String(format: "\nDone in %.1f min (%.0f CPU-s in this process). %@", seconds / 60, cpu, report.bill.summary))
    if json { try printJSON(summary) }
  }

  /// Creates OUT, or accepts it when empty or left by an earlier demo; returns whether it is the latter.
  func prepareOutputFolder(_ url: URL) throws -> Bool {
    let fm = FileManager.default
    let marker = url.appendingPathComponent(Self.markerName)
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw CLIMessage("\(out): exists and is not a folder") }
      if fm.fileExists(atPath: marker.path) { return true }
      let contents = try fm.contentsOfDirectory(atPath: url.path)
      guard contents.isEmpty else {
        throw CLIMessage("\(out): folder is not empty and was not made by tessera demo; give --out a new or empty folder")
      }
    } else {
      try fm.createDirectory(at: url, withIntermediateDirectories: true)
    }
    try writeFileAtomically(Data("made by tessera demo; a later demo run may replace its outputs\n".utf8), to: marker)
    return false
  }

  /// One header line and one line per row: name, test accuracy (mean ± half-width), macro-F1, ECE, augmentation cost.
  static func comparisonTable(_ report: SearchReport) -> [String] {
    let width = max(28, report.final.map(\.name.count).max() ?? 28)
    var lines = ["policy".padding(toLength: width, withPad: " ", startingAt: 0) + "  test accuracy      macro-F1   ECE     µs/image"]
    for r in report.final {
      let accuracy = String(format: "%.2f %%", r.accuracy.mean * 100)
        + (r.accuracy.count > 1 ? String(format: " ± %.2f", r.accuracy.halfWidth * 100) : "")
      lines.append(r.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                   + accuracy.padding(toLength: 17, withPad: " ", startingAt: 0)
                   + String(format: "  %.4f     %.4f  %.1f", r.macroF1, r.ece, r.augmentMicrosPerImage))
    }
    return lines
  }

  static func markdown(summary: DemoSummary, report: SearchReport, table: [String], applied: AugmentedVersion,
                       exportNote: String, demo: Demo) -> String {
    let bill = report.bill
    var md = """
      # Tessera demo: Fashion-MNIST

      Made by `tessera demo` on \(ISO8601DateFormatter().string(from: Date())) in \(String(format: "%.1f", summary.seconds / 60)) \
      minutes. Every number below was measured in this run.

      ## 1-2. The dataset, versioned

      `\(summary.store)` holds the 70,000 Fashion-MNIST images as PNG files (`train/` and `test/`, one folder per class) and \
      their store. Version `v1` is commit `\(summary.version)` of `.tessera/git`.

      ```
      cd \(summary.store)
      tessera log && tessera show v1 && tessera verify
      ```

      ## 3. Search

      \(demo.space.rawValue) space, random search, a budget of `\(demo.budget)` for the search trials, \(report.trainImages) \
      training and \(report.validationImages) validation images (carved from `train/` by a hash of each path), \
      \(demo.epochs) epoch\(demo.epochs == 1 ? "" : "s") of `\(demo.model)` per trial. \(report.trials.count) trials; the winner is **\(report.winner.name)** \
      (validation accuracy \(String(format: "%.4f", report.winner.validationScore))). Full report: \
      [search/report.md](search/report.md); policy file with provenance: [search/\(URL(fileURLWithPath: summary.policyFile).lastPathComponent)](search/\(URL(fileURLWithPath: summary.policyFile).lastPathComponent)).

      ![M_val over trials](search/\(report.files["mvalPlot"] ?? "mval.png"))

      ## 4. The winner against the baselines

      Re-trained with \(demo.seeds) seeds each (the same seeds for every row) on the same training images, scored on the \
      \(report.testImages) test images:

      ```
      \(table.joined(separator: "\n"))
      ```

      **\(summary.verdict)**

      \(report.comparisons.map { "- vs \($0.baseline): " + $0.verdict }.joined(separator: "\n"))

      Augmented training samples drawn by the winner (first row: one original per class):

      ![samples](search/\(report.files["samples"] ?? "samples.png"))

      """
    if let pareto = report.files["paretoPlot"] {
      md += "\nValidation accuracy against augmentation CPU cost per image (the Pareto front in red):\n\n![Pareto front](search/\(pareto))\n"
    }
    md += """

      ## 5. Applied

      - Offline: version `\(applied.version)` on branch `\(applied.branch)` is `v1` plus \(applied.augmentedFiles) augmented \
      copies of the training images (\(applied.distinctNewObjects) new objects); its commit message records the source \
      version, the policy's SHA-256 and the seed. Use it with `tessera checkout \(applied.branch)`.
      - Exported: \(exportNote).
      - Online, in a Swift training loop: see docs/APPLY.md.

      ## Compute

      \(bill.summary). This whole demo: \(String(format: "%.0f", summary.cpuSeconds)) CPU-s in \
      \(String(format: "%.1f", summary.seconds)) s wall.

      ## Reproduce step by step

      ```
      tessera import fashion-mnist --out fashion-mnist
      cd fashion-mnist && tessera init && tessera add && tessera commit -m "Fashion-MNIST" && tessera tag v1
      tessera search --rev v1 --space \(demo.space.rawValue) --algo random --budget \(demo.budget) --subset \(demo.subset) \
      --epochs \(demo.epochs) --seeds \(demo.seeds) --model \(demo.model) --seed \(demo.seed) --pareto --out ../search
      tessera augment --policy ../search/\(URL(fileURLWithPath: summary.policyFile).lastPathComponent) --rev v1 \
      --copies \(demo.copies) --seed \(demo.seed)
      tessera policy export ../search/\(URL(fileURLWithPath: summary.policyFile).lastPathComponent) --to torchvision
      ```

      A wall-time budget makes the number of trials depend on the machine; `--budget 40trials` makes the search itself \
      repeatable.

      """
    return md
  }
}

/// What `tessera demo --json` prints.
struct DemoSummary: Encodable {
  struct Row: Encodable {
    var name: String
    var accuracyMean: Double
    var accuracyHalfWidth: Double
  }
  var folder: String
  var store: String
  var version: String
  var searchId: String
  var winner: String
  var policyFile: String
  var searchReport: String
  var verdict: String
  var augmentedVersion: String
  var augmentedBranch: String
  var torchvisionExport: String?
  var report: String
  var seconds: Double
  var cpuSeconds: Double
  var final: [Row]
}
