import Foundation
import XCTest

/// Runs the built `pth` executable as a user would and captures what it prints.
struct CommandLineRunner {
    struct Result {
        /// The exit status, or the signal number when `reason` is `.uncaughtSignal`.
        var status: Int32
        /// Whether the process exited or was killed by a signal.
        var reason: Process.TerminationReason
        var stdout: String
        var stderr: String

        /// Standard error without the line a run starts with to say what it chose (`pth: resnet50 …`).
        var messages: String {
            stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("pth: ") }.joined(separator: "\n")
        }
    }

    /// The folder holding the built products (the test bundle sits beside `pth`).
    static var productsDirectory: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The repository root, for `fixtures/`.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Path of a file under `fixtures/`.
    static func fixture(_ relativePath: String) -> String {
        repositoryRoot.appendingPathComponent("fixtures").appendingPathComponent(relativePath).path
    }

    /// Runs `pth arguments…` (or another `executable`), optionally with `stdin` as standard input.
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil, executable: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable.map(URL.init(fileURLWithPath:)) ?? productsDirectory.appendingPathComponent("pth")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe never blocks the child.
        // Written by the reading block only, read after the group is left.
        final class Collected: @unchecked Sendable { var data = Data() }
        let errCollected = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errCollected.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errCollected.data
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, reason: process.terminationReason,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
