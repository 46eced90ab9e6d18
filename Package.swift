// swift-tools-version:6.0
// Tessera: versioned image datasets and searchable augmentation policies.
// Module layout (data flows one way): store → image → augment → train → search → CLI.
import PackageDescription

let package = Package(
  name: "Tessera",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "tessera", targets: ["tessera"]),
    .library(name: "TesseraStore", targets: ["TesseraStore"]),
    .library(name: "TesseraImage", targets: ["TesseraImage"]),
    .library(name: "TesseraAugment", targets: ["TesseraAugment"]),
    .library(name: "TesseraTrain", targets: ["TesseraTrain"]),
    .library(name: "TesseraSearch", targets: ["TesseraSearch"]),
    .library(name: "TesseraRemote", targets: ["TesseraRemote"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // System libraries, bound through module maps; each names its Debian package.
    .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
    // Headers only, no pkg-config: its `-lopenblas` would link what TesseraTrain loads when first needed
    // (Sources/TesseraTrain/Internal/BLAS.swift). Debian's cblas.h is on the default include path.
    .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    // All of libjpeg's setjmp/longjmp error handling lives in this C target, never in Swift frames.
    .target(name: "CCodecShims", dependencies: ["CJPEG", "CPNG"]),

    // Linux calls Swift cannot import directly (syncfs, the FICLONE ioctl).
    .target(name: "CStoreShims"),
    .target(name: "CPixelKernels"),
    // libcurl, loaded on first use: its header (libcurl4-openssl-dev) gives the types; nothing links it.
    .target(name: "CHTTP"),
    .target(
      name: "TesseraStore",
      dependencies: ["CGit2", "CStoreShims", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
    // Remotes: objects to S3 (SigV4 over libcurl) or a folder; versions through a git remote by libgit2.
    .target(
      name: "TesseraRemote",
      dependencies: ["TesseraStore", "CHTTP", .product(name: "Crypto", package: "swift-crypto")]),
    .target(name: "TesseraImage", dependencies: ["CCodecShims", "CPNG", "CJPEG", "CZlib"]),
    .target(name: "TesseraAugment", dependencies: ["TesseraImage", "CPixelKernels"]),
    .target(name: "TesseraTrain", dependencies: ["CBLAS", "TesseraStore", "TesseraImage", "TesseraAugment"]),
    .target(
      name: "TesseraSearch",
      dependencies: [
        "TesseraStore", "TesseraRemote", "TesseraImage", "TesseraAugment", "TesseraTrain", .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    .target(
      name: "TesseraCLI",
      dependencies: [
        "TesseraStore", "TesseraRemote", "TesseraImage", "TesseraAugment", "TesseraTrain", "TesseraSearch",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(name: "tessera", dependencies: ["TesseraCLI"]),
    // Single-thread op timings for Benchmarks/compare_ops.sh (not a product).
    .executableTarget(name: "tessera-bench-ops", dependencies: ["TesseraAugment", "TesseraImage"]),
    .target(name: "TesseraTestSupport", dependencies: ["TesseraImage", "TesseraAugment"]),

    .testTarget(name: "TesseraStoreTests", dependencies: ["TesseraStore", "TesseraTestSupport", "CGit2"]),
    .testTarget(name: "TesseraImageTests", dependencies: ["TesseraImage", "TesseraAugment", "TesseraTestSupport"],
                resources: [.copy("Resources")]),
    .testTarget(name: "TesseraAugmentTests", dependencies: ["TesseraAugment", "TesseraTestSupport"],
                resources: [.copy("Resources")]),
    .testTarget(name: "TesseraTrainTests", dependencies: ["TesseraTrain", "TesseraTestSupport"]),
    .testTarget(
      name: "TesseraSearchTests",
      dependencies: ["TesseraSearch", "TesseraStore", "TesseraImage", "TesseraAugment", "TesseraTrain", "TesseraTestSupport"]),
    .testTarget(name: "TesseraCLITests", dependencies: ["TesseraStore", "TesseraImage", "TesseraAugment", "TesseraTestSupport"]),
    .testTarget(
      name: "TesseraRemoteTests",
      dependencies: ["TesseraRemote", "CHTTP", "TesseraStore", "TesseraAugment", "TesseraTestSupport",
                     .product(name: "Crypto", package: "swift-crypto")]),
  ]
)
