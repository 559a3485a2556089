import CCrypto
import Foundation
import PthCheckpoint

/// The two renderings of `pth inspect`: a table for people and JSON for scripts.
enum InspectReport {
    static func table(_ checkpoint: Checkpoint, _ stateDict: StateDict) -> String {
        var rows = [["name", "dtype", "shape", "size"]]
        var totalBytes = 0
        for entry in stateDict.entries {
            let bytes = entry.tensor.count * entry.tensor.dtype.byteSize
            totalBytes += bytes
            rows.append([entry.name, entry.tensor.dtype.rawValue, "[\(entry.tensor.shape.map(String.init).joined(separator: ", "))]", byteSize(bytes)])
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = "format: \(checkpoint.format.rawValue)\n"
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                column == 3 ? String(repeating: " ", count: widths[column] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        out += "\(stateDict.count) tensors, \(byteSize(totalBytes))\n"
        let opaque = checkpoint.opaqueObjects
        out += "opaque objects: \(opaque.isEmpty ? "none" : opaque.joined(separator: ", "))\n"
        return out
    }

    static func json(_ checkpoint: Checkpoint, _ stateDict: StateDict) -> String {
        let tensors = stateDict.entries.map { entry in
            "{\"name\": \(quoted(entry.name)), \"dtype\": \"\(entry.tensor.dtype.rawValue)\", "
                + "\"shape\": [\(entry.tensor.shape.map(String.init).joined(separator: ", "))], \"sha256\": \"\(sha256(entry.tensor))\"}"
        }
        return "{\"format\": \"\(checkpoint.format.rawValue)\", \"tensors\": [\(tensors.joined(separator: ", "))], "
            + "\"opaque\": [\(checkpoint.opaqueObjects.map(quoted).joined(separator: ", "))]}\n"
    }

    /// SHA-256 of the tensor's C-contiguous little-endian bytes, hashed in place when already contiguous.
    static func sha256(_ tensor: Tensor) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        if tensor.isContiguous && tensor.count > 0 {
            let start = tensor.storageOffset * tensor.dtype.byteSize
            let slice = UnsafeRawBufferPointer(rebasing: tensor.storage.bytes[start..<(start + tensor.count * tensor.dtype.byteSize)])
            SHA256(slice.baseAddress?.assumingMemoryBound(to: UInt8.self), slice.count, &digest)
        } else {
            let bytes = tensor.contiguousBytes()
            SHA256(bytes, bytes.count, &digest)
        }
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    private static func byteSize(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
