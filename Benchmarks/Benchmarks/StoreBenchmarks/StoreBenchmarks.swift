import Benchmark
import Foundation
import TesseraStore

/// A dataset of `count` small files in `split/class/file` folders, written once per benchmark run.
func makeDataset(files count: Int) throws -> String {
  let root = NSTemporaryDirectory() + "tessera-bench-\(UUID().uuidString)"
  for i in 0..<count {
    let dir = "\(root)/\(i % 7 == 0 ? "test" : "train")/class\(i % 10)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    // Distinct content per file (as in a real image folder), 400 bytes each.
    var bytes = Array("file \(i) ".utf8) + [UInt8](repeating: 0, count: 400)
    for j in 16..<bytes.count { bytes[j] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> (j % 24) &+ j &* 97) }
    try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/\(i).bin"))
  }
  return root
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
                                         maxDuration: .seconds(10), maxIterations: 20)

  Benchmark("add+commit 10k files (fresh store)") { benchmark in
    let root = try makeDataset(files: 10_000)
    defer { try? FileManager.default.removeItem(atPath: root) }
    for _ in benchmark.scaledIterations {
      try? FileManager.default.removeItem(atPath: root + "/.tessera")
      benchmark.startMeasurement()
      let store = try Store.initialize(at: root)
      try store.add([])
      blackHole(try store.commit(message: "bench"))
      benchmark.stopMeasurement()
    }
  }

  Benchmark("no-op status, 10k files") { benchmark in
    let root = try makeDataset(files: 10_000)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try Store.initialize(at: root)
    try store.add([])
    try store.commit(message: "bench")
    sleep(1)  // let the stat cache's racy window pass, as it would in real use
    try store.add([])
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations { blackHole(try store.status()) }
    benchmark.stopMeasurement()
  }

  Benchmark("commit after changing 1% of 10k files") { benchmark in
    let root = try makeDataset(files: 10_000)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try Store.initialize(at: root)
    try store.add([])
    try store.commit(message: "bench")
    for iteration in benchmark.scaledIterations {
      for i in stride(from: 0, to: 10_000, by: 100) {
        let path = "\(root)/\(i % 7 == 0 ? "test" : "train")/class\(i % 10)/\(i).bin"
        try Data("changed \(iteration)".utf8).write(to: URL(fileURLWithPath: path))
      }
      benchmark.startMeasurement()
      try store.add([])
      blackHole(try store.commit(message: "change \(iteration)"))
      benchmark.stopMeasurement()
    }
  }

  Benchmark("checkout 10k files into an empty folder") { benchmark in
    let root = try makeDataset(files: 10_000)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try Store.initialize(at: root)
    try store.add([])
    try store.commit(message: "bench")
    for _ in benchmark.scaledIterations {
      for split in ["train", "test"] { try FileManager.default.removeItem(atPath: root + "/" + split) }
      benchmark.startMeasurement()
      blackHole(try store.checkout("HEAD", force: true))
      benchmark.stopMeasurement()
    }
  }

  Benchmark("verify 10k objects") { benchmark in
    let root = try makeDataset(files: 10_000)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try Store.initialize(at: root)
    try store.add([])
    try store.commit(message: "bench")
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations { blackHole(try store.verify()) }
    benchmark.stopMeasurement()
  }
}
