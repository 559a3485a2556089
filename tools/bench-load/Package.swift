// swift-tools-version:6.0
// The in-process half of tools/bench_load.py: how long swift-pth takes to open a checkpoint and reach its
// tensors, timed inside one process (no process start-up, no printing inside the timed parts). A package of
// its own, depending on this checkout by path, so the `pth` tool carries no benchmark mode.
import PackageDescription

let package = Package(
    name: "bench-load",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "swift-pth", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "bench-load",
            dependencies: [
                .product(name: "PthCheckpoint", package: "swift-pth")
            ])
    ]
)
