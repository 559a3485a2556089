// swift-tools-version:6.0
// swift-pth: run torchvision classifiers straight from PyTorch `.pth` checkpoints.
//
// Targets follow the data flow, each depending only on what comes before it:
//   PthCheckpoint (file → object tree → StateDict)
//   PthGraph      (graph IR + freezing passes)        PthKernels (numeric kernels, no graph; its
//                                                      multiversioned C loops in CKernels)
//   PthRuntime    (execution plan over PthKernels)
//   PthModels     (architecture builders: StateDict → Graph; the `Network` facade)
//   PthVision     (image decoding, PIL-exact preprocessing, labels)
//   pth           (the command-line tool)
import PackageDescription

/// Numeric code is always compiled optimised, even in debug/test builds, so the parity
/// suite over full-size networks stays fast; bounds checks stay on outside the hot modules.
/// `-target-cpu haswell` (x86-64-v3: AVX2, FMA, F16C, BMI2) lets the 8-lane SIMD kernels use
/// whole 256-bit registers; the binaries then need an x86-64 CPU from 2013 on (Intel Haswell,
/// AMD Excavator or Zen); other architectures get the compiler's default CPU. The C loops in `CKernels`
/// carry their own AVX-512 / AVX2 / baseline copies, chosen at load time.
#if arch(x86_64)
let optimised: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"])]
#else
let optimised: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]
#endif

let package = Package(
    name: "swift-pth",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pth", targets: ["pth"]),
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

        // The loader is the security boundary: optimised, but with Swift's bounds and overflow checks kept.
        .target(name: "PthCheckpoint", dependencies: ["CZip"], swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "PthNumpy"),
        .target(name: "PthGraph", swiftSettings: optimised),
        // Activation and depthwise loops compiled for AVX-512, AVX2 and the baseline, picked at load time
        // (see activations.c); their 16-float vectors pass between inlined helpers only (-Wno-psabi).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-Wno-psabi"])]),
        .target(name: "PthKernels", dependencies: ["COpenBLAS", "CKernels", .product(name: "Atomics", package: "swift-atomics")],
                swiftSettings: optimised),
        .target(name: "PthRuntime", dependencies: ["PthGraph", "PthKernels"], swiftSettings: optimised),
        .target(name: "PthModels", dependencies: ["PthCheckpoint", "PthGraph", "PthKernels", "PthRuntime"]),
        .target(name: "PthVision", dependencies: ["CJPEG", "CPNG", "CWebP", "CTIFF", "CGIF"], swiftSettings: optimised),
        .target(name: "PthClassifier", dependencies: ["PthCheckpoint", "PthModels", "PthRuntime", "PthVision"]),
        .executableTarget(name: "pth", dependencies: [
            "PthCheckpoint", "PthClassifier", "PthModels", "PthRuntime", "PthVision", "PthNumpy", "CCrypto",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "PthCheckpointTests", dependencies: ["PthCheckpoint"]),
        .testTarget(name: "PthNumpyTests", dependencies: ["PthNumpy"]),
        .testTarget(name: "PthGraphTests", dependencies: ["PthGraph"]),
        .testTarget(name: "PthKernelsTests", dependencies: ["PthKernels"]),
        .testTarget(name: "PthRuntimeTests", dependencies: ["PthRuntime", "PthGraph", "PthNumpy"]),
        .testTarget(name: "PthModelsTests", dependencies: ["PthModels", "PthRuntime", "PthCheckpoint", "PthNumpy"]),
        .testTarget(name: "PthVisionTests", dependencies: ["PthVision", "PthNumpy"]),
        .testTarget(name: "PthClassifierTests", dependencies: ["PthClassifier", "PthVision", "PthModels", "PthNumpy", "PthRuntime"]),
        .testTarget(name: "pthTests", dependencies: ["pth", "PthNumpy"]),
    ],
    swiftLanguageModes: [.v5]
)
