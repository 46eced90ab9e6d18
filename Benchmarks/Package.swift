// swift-tools-version:6.1
// Release-build benchmarks (ordo-one/benchmark), in their own package so their dependencies never reach users.
// Run: cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
import PackageDescription

let package = Package(
  name: "TesseraBenchmarks",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(name: "Tessera", path: ".."),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "StoreBenchmarks",
      dependencies: [
        .product(name: "TesseraStore", package: "Tessera"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/StoreBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
  ]
)
