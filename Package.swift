// swift-tools-version:6.0
// swift-pth: run torchvision classifiers straight from PyTorch `.pth` checkpoints.
//
// Targets follow the data flow, each depending only on what comes before it:
//   PthFoundation (the shared vocabulary: `OwnedMemory`, memory kept alive by its owner and lent
//                  from the checkpoint to the graph and the kernels; `PthError`, every error's shape)
//   PthCheckpoint (file → object tree → StateDict)
//   PthGraph      (graph IR + freezing passes)        PthKernels (numeric kernels, no graph; its
//                                                      per-instruction-set C kernels in CKernels)
//   PthRuntime    (execution plan over PthKernels)
//   PthModels     (architecture builders: StateDict → Graph; the `Network` facade)
//   PthVision     (image decoding, PIL-exact preprocessing, labels)
//   pth           (the command-line tool)
import PackageDescription

// No target carries compiler flags of its own (SwiftPM refuses a dependency whose library targets
// use unsafe flags): Swift code is built for the toolchain's default CPU, with its run-time checks
// on, and the C kernels in `CKernels` carry their own AVX-512 / AVX2 + FMA / baseline copies, the
// one run chosen from the CPU when the process first needs it. Build with `-c release` for speed:
// a debug build compiles the C kernels unoptimised too.
let package = Package(
    name: "swift-pth",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pth", targets: ["pth"]),
        .library(name: "PthFoundation", targets: ["PthFoundation"]),
        .library(name: "PthCheckpoint", targets: ["PthCheckpoint"]),
        .library(name: "PthModels", targets: ["PthModels"]),
        .library(name: "PthVision", targets: ["PthVision"]),
        .library(name: "PthClassifier", targets: ["PthClassifier"]),
        .library(name: "PthRuntime", targets: ["PthRuntime"]),
        .library(name: "PthNumpy", targets: ["PthNumpy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.2.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(name: "CZip", pkgConfig: "libzip", providers: [.apt(["libzip-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebpdemux", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CGIF", pkgConfig: "libgif", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // The loader is the security boundary: Swift's bounds and overflow checks stay on.
        .target(name: "PthFoundation"),
        .target(name: "PthCheckpoint", dependencies: ["CZip", "PthFoundation"]),
        .target(name: "PthNumpy", dependencies: ["PthFoundation"]),
        .target(name: "PthGraph", dependencies: ["PthFoundation"]),
        // Activation, depthwise and packed-GEMM kernels, one copy per instruction set (kernels_<isa>.c),
        // the copy run picked from the CPU at run time (isa.c, kernels.c).
        .target(name: "CKernels"),
        .target(name: "PthKernels", dependencies: ["PthFoundation", "COpenBLAS", "CKernels", .product(name: "Atomics", package: "swift-atomics")]),
        .target(name: "PthRuntime", dependencies: ["PthGraph", "PthKernels"]),
        .target(name: "PthModels", dependencies: ["PthCheckpoint", "PthGraph", "PthRuntime"]),
        .target(name: "PthVision", dependencies: ["PthFoundation", "CJPEG", "CPNG", "CWebP", "CTIFF", "CGIF"]),
        .target(name: "PthClassifier", dependencies: ["PthCheckpoint", "PthModels", "PthRuntime", "PthVision"]),
        .executableTarget(
            name: "pth",
            dependencies: [
                "PthFoundation", "PthCheckpoint", "PthClassifier", "PthKernels", "PthModels", "PthRuntime", "PthVision", "PthNumpy", "CCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Helpers the test targets share: one relative error, pseudo-random values, float64 references.
        .target(name: "PthTestSupport", dependencies: ["PthKernels"], path: "Tests/PthTestSupport"),
        .testTarget(name: "PthFoundationTests", dependencies: ["PthFoundation"]),
        .testTarget(name: "PthCheckpointTests", dependencies: ["PthCheckpoint"]),
        .testTarget(name: "PthNumpyTests", dependencies: ["PthNumpy"]),
        .testTarget(name: "PthGraphTests", dependencies: ["PthGraph", "PthFoundation"]),
        .testTarget(name: "PthKernelsTests", dependencies: ["PthKernels", "PthTestSupport"]),
        .testTarget(name: "PthRuntimeTests", dependencies: ["PthRuntime", "PthGraph", "PthNumpy", "PthTestSupport"]),
        .testTarget(name: "PthModelsTests", dependencies: ["PthModels", "PthRuntime", "PthCheckpoint", "PthNumpy", "PthTestSupport"]),
        .testTarget(name: "PthVisionTests", dependencies: ["PthVision", "PthNumpy"]),
        .testTarget(name: "PthClassifierTests", dependencies: ["PthClassifier", "PthVision", "PthModels", "PthNumpy", "PthRuntime", "PthTestSupport"]),
        .testTarget(name: "pthTests", dependencies: ["pth", "PthNumpy", "PthTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
