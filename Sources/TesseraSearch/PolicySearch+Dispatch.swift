import Foundation

extension PolicySearch {
  var parallelism: Int { configuration.maxParallel ?? 1 }

  /// Cancels the trials the current dispatch started (for Ctrl-C); the ledger keeps them as running, so
  /// `--resume` runs them again.
  public func cancelRunningTrials() { activeExecutor?.cancelAll() }
  var attemptLimit: Int { configuration.maxAttempts ?? 3 }

  /// The executor for this search's settings.
  func makeExecutor() throws -> TrialExecutor {
    if let executorOverride { return executorOverride }
    switch configuration.executor ?? .local {
    case .local:
      if parallelism == 1 {
        let runner = self.runner
        return LocalExecutor { spec in try runner.run(try spec.plan()) }
      }
      // Several at once: each in its own `tessera trial run` process, exactly as a Slurm node runs it.
      return ProcessExecutor(maxParallel: parallelism, files: try TrialFiles(workDirectory: workDirectory))
    case .slurm:
      return SlurmExecutor(maxParallel: parallelism, files: try TrialFiles(workDirectory: workDirectory),
                           partition: configuration.slurmPartition, extraArguments: configuration.slurmArguments ?? [],
                           jobName: "tessera-\(id)")
    }
  }

  /// Runs an algorithm asynchronously: keeps up to `maxParallel` trials in flight, asking `next` for the next
  /// one whenever a slot is free and the budget still covers it. By default results are handed to `tell` in the
  /// order the trials started, so every decision sees the same results however the workers' timings fall — local
  /// and Slurm runs of a search record the same trials — at the price of a free worker waiting while the oldest
  /// trial runs. `resultOrder = .finish` hands them over as they end: no waiting, but the trials depend on timing. A trial whose attempt fails (an error, or a job that
  /// ended FAILED, TIMEOUT, CANCELLED or on a dead node) runs again, up to `maxAttempts`, then is recorded as
  /// failed and told with no score; the search goes on.
  /// With `ignoreBudget` the caller decides when to stop (a PBT generation, the final evaluation).
  func dispatch(next: () throws -> TrialRequest?, tell: (TrialRequest, TrialRecord) throws -> Void,
                ignoreBudget: Bool = false) throws {
    try dispatch(next: { try next().map(NextTrial.run) ?? .done }, tell: tell, ignoreBudget: ignoreBudget)
  }

  /// What an asynchronous algorithm wants next: a trial, nothing until a running trial is told, or nothing more.
  enum NextTrial {
    case run(TrialRequest)
    case wait
    case done
  }

  func dispatch(next: () throws -> NextTrial, tell: (TrialRequest, TrialRecord) throws -> Void,
                ignoreBudget: Bool = false) throws {
    let executor = try makeExecutor()
    activeExecutor = executor
    defer { activeExecutor = nil }
    struct Flight {
      var request: TrialRequest
      var spec: TrialSpec
      var record: TrialRecord?
      var attempt: Int
      var ended: EndedTrial?
      var reused: TrialRecord?
    }
    var queue: [Flight] = []
    var noMore = false
    var inFlight: Int { queue.filter { $0.reused == nil }.count }

    func spec(_ request: TrialRequest) -> TrialSpec {
      TrialSpec(searchId: id, key: request.key, storeRoot: store.root, configuration: configuration, plan: request.plan)
    }
    func submit(_ flights: [Int]) throws {
      guard !flights.isEmpty else { return }
      try executor.submit(flights.map { (queue[$0].spec, queue[$0].attempt) })
      for i in flights {
        if let record = queue[i].record {
          queue[i].record = try ledger.assign(record, worker: executor.worker(of: queue[i].spec.key), attempt: queue[i].attempt)
        }
      }
    }
    func fill() throws {
      var fresh: [Int] = []
      // A trial found finished in the ledger holds its slot until it is told, exactly as when it ran, so a
      // resumed search asks the algorithm the same questions in the same order.
      while !noMore && queue.count < executor.maxParallel {
        if !ignoreBudget && (deadline == nil ? projectedExhausted(inFlight: queue.count) : pastDeadline(usage.maxWallSeconds)) {
          noMore = true
          break
        }
        let decision = try next()
        guard case .run(let request) = decision else {
          if case .done = decision { noMore = true }
          break
        }
        let s = spec(request)
        if let done = try ledger.trial(of: id, key: request.key), done.status == .finished {
          reusedCount += 1
          queue.append(Flight(request: request, spec: s, record: done, attempt: done.attempts ?? 1, reused: done))
          continue
        }
        let previous = try ledger.trial(of: id, key: request.key)
        if let previous, previous.status == .running,
           let worker = previous.worker, try executor.adopt(s, attempt: previous.attempts ?? 1, worker: worker) {
          log("  adopted \(request.key) (still running as \(worker))")
          queue.append(Flight(request: request, spec: s, record: previous, attempt: previous.attempts ?? 1))
          continue
        }
        // A trial started before (by a controller that died) continues its attempt count and its files.
        let record = try ledger.start(startRecord(request))
        queue.append(Flight(request: request, spec: s, record: record, attempt: (previous?.attempts ?? 0) + 1))
        fresh.append(queue.count - 1)
      }
      try submit(fresh)
    }

    // With several workers a wall-clock budget is real time: past the deadline nothing starts, and what
    // still runs is cancelled.
    var deadline: Date?
    if !ignoreBudget, parallelism > 1, case .wallSeconds(let seconds) = configuration.budget {
      deadline = Date().addingTimeInterval(max(0, seconds - usage.wallSeconds))
    }
    func pastDeadline(_ margin: Double = 0) -> Bool { deadline.map { Date().addingTimeInterval(margin) >= $0 } ?? false }
    /// The budget is spent: what still runs would only overspend it.
    func cancelOutstanding() {
      let running = queue.filter { $0.reused == nil }
      executor.cancelAll()
      for flight in running {
        guard let record = flight.record else { continue }
        if let outcome = flight.ended?.result?.outcome {
          // It finished but was not told yet: keep its result (the algorithm is done with it).
          _ = try? ledger.finish(record, outcome: outcome)
        } else {
          _ = try? ledger.fail(record, reason: "cancelled: the budget was spent")
        }
      }
      log("  budget spent: cancelled \(running.count) running trial(s)")
      queue.removeAll()
    }

    try fill()
    while !queue.isEmpty {
      // In start order: wait until the oldest trial ended. In finish order: take whichever ended first.
      let inStartOrder = (configuration.resultOrder ?? .start) == .start
      func ready() -> Int? {
        inStartOrder ? (queue[0].reused != nil || queue[0].ended != nil ? 0 : nil)
          : queue.firstIndex { $0.reused != nil || $0.ended != nil }
      }
      while ready() == nil && !pastDeadline() {
        for ended in try executor.waitForEnded(until: deadline) {
          if let i = queue.firstIndex(where: { $0.spec.key == ended.key && $0.attempt == ended.attempt && $0.ended == nil }) {
            queue[i].ended = ended
          }
        }
      }
      guard let position = ready() else {
        cancelOutstanding()
        break
      }
      var head = queue.remove(at: position)
      if let reused = head.reused {
        if head.request.phase == .search, let outcome = reused.outcome { usage.add(outcome) }
        try tell(head.request, reused)
      } else if let outcome = head.ended?.result?.outcome {
        let finished = try ledger.finish(head.record!, outcome: outcome)
        ranCount += 1
        if head.request.phase == .search { usage.add(outcome) }
        logTrial(finished, head.request, outcome)
        try tell(head.request, finished)
      } else {
        let reason = head.ended?.result?.error ?? head.ended?.reason ?? "ended without a result"
        if head.attempt < attemptLimit {
          log("  \(head.request.key) attempt \(head.attempt) failed (\(reason)); retrying")
          head.attempt += 1
          head.ended = nil
          queue.insert(head, at: 0)
          try submit([0])
          continue
        }
        let failed = try ledger.fail(head.record!, reason: "\(head.attempt) attempt(s): \(reason)")
        log("  \(head.request.key) failed after \(head.attempt) attempt(s): \(reason)")
        try tell(head.request, failed)
      }
      if !ignoreBudget && (budgetExhausted && deadline == nil || pastDeadline()) && inFlight > 0 {
        cancelOutstanding()
        break
      }
      try fill()
    }
  }

  /// Whether starting one more trial could overspend the budget, counting the trials still running at the cost
  /// of the costliest so far.
  func projectedExhausted(inFlight: Int) -> Bool {
    var projected = usage
    projected.trials += inFlight
    projected.cpuSeconds += Double(inFlight) * usage.maxCPUSeconds
    projected.wallSeconds += Double(inFlight) * usage.maxWallSeconds / Double(max(parallelism, 1))
    return configuration.budget.isExhausted(by: projected)
  }

  func startRecord(_ request: TrialRequest) throws -> TrialRecord {
    TrialRecord(
      id: nil, searchId: id, key: request.key, number: 0, phase: request.phase, name: request.name,
      policy: try request.candidate.json(), datasetVersion: configuration.commit,
      seed: Int64(bitPattern: request.plan.seed), epochs: request.plan.fidelity.epochs,
      trainImages: request.plan.fidelity.trainImages, rung: request.rung, parentKey: request.parentKey,
      status: .running, startedAt: Date())
  }

  func logTrial(_ finished: TrialRecord, _ request: TrialRequest, _ outcome: TrialOutcome) {
    log(String(format: "  #%-3d %@  %@  M_val %.4f  acc %.2f%%  %.1f CPU-s  %@",
               finished.number, request.key as NSString, request.plan.fidelity.description as NSString,
               outcome.score, outcome.metrics.accuracy * 100, outcome.cpuSeconds, request.name as NSString))
  }
}
