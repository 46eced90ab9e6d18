import ArgumentParser
import Foundation
import TesseraRemote
import TesseraSearch
import TesseraStore
import TesseraTrain

/// `tessera search`: searches an augmentation policy on a pinned dataset version. All the work is
/// `PolicySearch` in TesseraSearch; this command parses options and prints.
struct Search: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "search", 
    abstract: "Search an augmentation policy on a dataset version, with baselines, intervals and a compute bill.",
    discussion: """
      Trains --model on the training split of --rev (minus a validation split carved by a hash of each \
      path) with candidate policies from --space, chosen by --algo until --budget is spent (wall time \
      30m/2h, CPU-seconds 3600cpu, or 50trials), scoring each on validation (--metric). The winner and the \
      baselines (no augmentation, TrivialAugmentWide, RandAugment(2, 9), AutoAugment CIFAR-10) are then \
      re-trained with --seeds seeds and scored on the test split (mean and 95 % t-interval).

      Every trial is recorded in .tessera/search.sqlite; after Ctrl-C or a crash, --resume ID continues \
      without redoing finished trials. 'tessera trials ls' lists searches and trials. Output (--out, default \
      search-ID/): best-policy.json (with provenance), report.md, report.json, mval.png, samples.png, and \
      pareto.png with --pareto. See docs/SEARCH.md.

      Examples:
        tessera search --rev v1 --space randaugment --algo random --budget 20trials --subset 10000 --epochs 15
        tessera search --rev v1 --space autoaugment --algo asha --budget 1h --pareto
        tessera search --rev v1 --space trivialaugment --algo pbt --budget 3600cpu --population 4
        tessera search --resume 1a2b3c4d
        tessera search --rev v1 --space randaugment --algo asha --budget 2h --executor slurm --max-parallel 16 \\
          --slurm-partition gpu --slurm-arg=--time=01:00:00
      """)

  @Option(help: "Store version to search on: a tag, branch or commit.")
  var rev: String?

  @Option(help: "Store holding the version (default: the store holding the current folder).")
  var store: String = "."

  @Option(help: "Search space: autoaugment, randaugment, trivialaugment or mix (MixUp/CutMix).")
  var space: SearchSpace?

  @Option(help: "Algorithm: random, asha (successive halving over epochs and images) or pbt (population-based schedule).")
  var algo: SearchAlgorithm?

  @Option(help: "Budget for the search trials: wall time (30m, 2h, 90s), CPU-seconds (3600cpu) or a trial count (50trials).")
  var budget: String?

  @Option(help: "M_val: accuracy, macro-f1, ece, or a weighted sum such as accuracy=0.8,ece=0.2.")
  var metric: String = "accuracy"

  @Option(help: "Model: \(ModelSpec.names.joined(separator: ", ")).")
  var model: String = "cnn-s"

  @Option(help: "Use at most this many training images (a fixed, hash-ordered subset).")
  var subset: Int?

  @Option(help: "Seeds for the final re-training of the winner and each baseline.")
  var seeds: Int = 3

  @Option(help: "Epochs at full search fidelity.")
  var epochs: Int = 5

  @Option(help: "Epochs of the final re-training (default: --epochs).")
  var finalEpochs: Int?

  @Option(help: "ASHA: reduction factor η.")
  var eta: Int = 3

  @Option(help: "ASHA: number of rungs.")
  var rungs: Int = 3

  @Option(help: "PBT: population size.")
  var population: Int = 4

  @Option(help: "PBT: epochs between exploit/explore steps.")
  var interval: Int = 1

  @Flag(help: "Also report the Pareto front of M_val against augmentation CPU cost per image.")
  var pareto = false

  @Option(help: "Fraction of the training split held out for validation.")
  var validationFraction: Double = 0.1

  @Option(help: "Seed for candidates, training and the final runs.")
  var seed: UInt64 = 0

  @Option(help: "Batch size.")
  var batchSize: Int = 128

  @Option(help: "SGD learning rate (cosine schedule).")
  var lr: Float = 0.05

  @Option(help: "Training threads (default: all cores; speed only).")
  var threads: Int?

  @Flag(help: "Skip the final re-training on the test split.")
  var skipFinal = false

  @Option(help: "Folder for the policy file, report and plots (default: search-ID).")
  var out: String?

  @Option(help: "Continue search ID after an interruption (its recorded settings are used).")
  var resume: String?

  @Option(help: "Where trials run: local (this machine) or slurm (sbatch jobs running 'tessera trial run'; the store's .tessera/search folder must be on a filesystem the nodes share; the version itself can come through --data-remote).")
  var executor: ExecutorKind = .local

  @Option(help: "Trials in flight at once. Part of the result: with --result-order start every executor records the same trials for a trial-count budget.")
  var maxParallel = 1

  @Option(help: "Slurm partition for the trial jobs.")
  var slurmPartition: String?

  @Option(parsing: .unconditionalSingleValue, help: "Extra sbatch argument, e.g. --slurm-arg=--time=00:30:00 (repeatable).")
  var slurmArg: [String] = []

  @Option(help: "Attempts per trial before it is recorded as failed.")
  var maxAttempts = 3

  @Option(help: "Workers read the version through this remote of the store (pushed first) into a cache of their own, instead of opening the store: for nodes that do not share its filesystem.")
  var dataRemote: String?

  @Option(help: "With --data-remote: the workers' cache folder (default: a tessera-node-cache folder in their temporary directory).")
  var nodeCache: String?

  @Option(help: "start: results reach the algorithm in the trials' start order (the same trials on any executor); finish: as trials end (no worker waits for an older trial; depends on timing).")
  var resultOrder: ResultOrder = .start

  func validate() throws {
    if resume == nil {
      guard rev != nil else { throw ValidationError("--rev: required (or --resume ID to continue a search)") }
      guard space != nil else { throw ValidationError("--space: required: autoaugment, randaugment, trivialaugment or mix") }
      guard algo != nil else { throw ValidationError("--algo: required: random, asha or pbt") }
      guard budget != nil else { throw ValidationError("--budget: required, e.g. 30m, 3600cpu or 50trials") }
    }
    if let threads, threads < 1 { throw ValidationError("--threads: must be at least 1, got \(threads)") }
  }

  func run() throws {
    let store = try Store.open(at: self.store)
    // Unbuffered, so progress shows at once when stdout is a pipe or a file.
    let say: (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    let search: PolicySearch
    if let resume {
      search = try PolicySearch.resume(store: store, id: resume, threads: threads, log: say)
      say("resuming search \(search.id)")
    } else {
      var c = SearchConfiguration(revision: rev!, space: space!, algorithm: algo!, budget: try Budget(parsing: budget!))
      c.objective = try Objective(parsing: metric)
      c.model = model
      c.subset = subset
      c.seeds = seeds
      c.epochs = epochs
      c.finalEpochs = finalEpochs
      c.eta = eta
      c.rungs = rungs
      c.population = population
      c.interval = interval
      c.pareto = pareto
      c.validationFraction = validationFraction
      c.seed = seed
      c.batchSize = batchSize
      c.learningRate = lr
      if let threads { c.threads = threads }
      c.skipFinal = skipFinal
      c.executor = executor
      c.maxParallel = maxParallel
      c.slurmPartition = slurmPartition
      c.slurmArguments = slurmArg
      c.maxAttempts = maxAttempts
      c.resultOrder = resultOrder
      if let dataRemote {
        let remote = try Remote(store: store, name: dataRemote)
        try remote.requireVersion(rev!)
        c.dataRemote = remote.configuration
        c.nodeCache = nodeCache
      }
      search = try PolicySearch.start(store: store, configuration: c, log: say)
      say("search \(search.id) started (after an interruption: tessera search --resume \(search.id))")
    }
    let outURL = URL(fileURLWithPath: out ?? "search-\(search.id)", isDirectory: true)
    // Ctrl-C cancels the trials this search started (scancel on Slurm); --resume continues later.
    signal(SIGINT, SIG_IGN)
    let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    interrupt.setEventHandler {
      search.cancelRunningTrials()
      FileHandle.standardError.write(Data("\ninterrupted: running trials cancelled; continue with tessera search --resume \(search.id)\n".utf8))
      Foundation.exit(130)
    }
    interrupt.resume()
    let report = try search.run(outputDirectory: outURL)
    if search.reusedCount > 0 { say("reused \(search.reusedCount) finished trials from the ledger; ran \(search.ranCount)") }
    if !report.final.isEmpty {
      say("test split, \(report.final.first?.seeds.count ?? 0) seeds, mean ± 95 % t-interval (\(report.objective), then accuracy):")
      let width = max(24, report.final.map(\.name.count).max() ?? 24)
      for r in report.final {
        let half = r.score.count > 1 ? String(format: " ± %.4f", r.score.halfWidth) : ""
        let accHalf = r.accuracy.count > 1 ? String(format: " ± %.2f", r.accuracy.halfWidth * 100) : ""
        say("  " + r.name.padding(toLength: width, withPad: " ", startingAt: 0)
            + String(format: "  %.4f", r.score.mean) + half + String(format: "   %.2f%%", r.accuracy.mean * 100) + accHalf)
      }
      if let v = report.versusTrivialAugment { say(v.verdict) }
    }
    say(report.bill.summary)
    say("policy: \(outURL.appendingPathComponent(report.files["policy"] ?? "").path)")
    say("report: \(outURL.appendingPathComponent("report.md").path) (and report.json, \(["mvalPlot", "paretoPlot", "samples"].compactMap { report.files[$0] }.joined(separator: ", ")))")
  }
}

extension SearchSpace: ExpressibleByArgument {}
extension ExecutorKind: ExpressibleByArgument {}
extension ResultOrder: ExpressibleByArgument {}
extension SearchAlgorithm: ExpressibleByArgument {}
