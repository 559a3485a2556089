import Foundation
import PthModels

/// Whether a batch fits in memory, checked before anything of that size is allocated, so an
/// oversized `--batch` is refused with the numbers instead of killing the process.
enum BatchMemory {
    /// A lower bound of the bytes one image costs a run of `network` on `height`×`width` input: the
    /// input itself plus the two largest values the network computes (a layer's input and output are
    /// alive together).
    static func bytesPerImage(_ network: Network, height: Int, width: Int) throws -> Int {
        let shapes = try network.graph.shapes(forInput: [1, network.inputChannels, height, width])
        let largest = shapes.map { $0.reduce(1, *) }.sorted(by: >).prefix(2).reduce(0, +)
        return MemoryLayout<Float>.size * (network.inputChannels * height * width + largest)
    }

    /// Bytes the process can have now: Linux's MemAvailable, lowered to the cgroup's limit (a
    /// container's memory.max) when there is one; physical memory where neither is readable.
    static func available() -> Int {
        var bytes = Int(ProcessInfo.processInfo.physicalMemory)
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            bytes = kilobytes * 1024
        }
        for limitFile in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: limitFile, encoding: .utf8),
                let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                bytes = min(bytes, limit)
            }
        }
        return bytes
    }

    /// Refuses `batch` images of `perImage` bytes each when they need more than `available` bytes,
    /// naming the flag, both sizes and the largest batch that fits (or the image size, when not even
    /// one `height`×`width` image fits).
    static func check(batch: Int, perImage: Int, flag: String, height: Int, width: Int, available: Int = available()) throws {
        guard perImage <= available else {
            throw CommandFailure(.fatal, "one \(height)x\(width) image needs at least \(size(perImage)) but \(size(available)) of memory is available")
        }
        let (needed, overflow) = batch.multipliedReportingOverflow(by: perImage)
        guard overflow || needed > available else { return }
        throw CommandFailure(
            .fatal,
            "\(flag) \(batch) needs at least \(overflow ? "more than \(Int.max) bytes" : size(needed)) "
                + "(\(size(perImage)) per image) but \(size(available)) of memory is available; at most \(flag) \(available / perImage) fits")
    }

    private static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
