// swift-tools-version:6.0
// A package that depends on swift-pth by version, as a user's would: tools/consumer-check.sh points the
// URL at a tagged clone of the repository and runs it. SwiftPM refuses a versioned dependency whose
// library targets carry unsafe build flags, so this build failing is how such flags are caught.
import PackageDescription

let package = Package(
    name: "consumer",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "SWIFT_PTH_URL", from: "SWIFT_PTH_VERSION")
    ],
    targets: [
        .executableTarget(
            name: "consumer",
            dependencies: [
                .product(name: "PthClassifier", package: "swift-pth"),
                .product(name: "PthCheckpoint", package: "swift-pth"),
            ])
    ]
)
