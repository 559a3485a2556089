import CCrypto
import Foundation
import PthCheckpoint

/// The renderings of `pth inspect`: a table for people, JSON for scripts, and the `--scan` listing.
enum InspectReport {
    static func table(_ checkpoint: Checkpoint, _ selection: StateDictSelection) throws -> String {
        let stateDict = selection.stateDict
        var out = "format: \(checkpoint.format.rawValue)\n"
        out += "state dict: \(selection.choice)\n"
        out += tensorTable(stateDict.entries.map { ($0.name, $0.tensor) }, header: "name")
        out += "\(stateDict.count) tensor\(stateDict.count == 1 ? "" : "s"), \(byteSize(stateDict.entries.reduce(0) { $0 + bytes($1.tensor) }))\n"
        let elsewhere = try checkpoint.tensors(outside: selection.choice)
        if !elsewhere.isEmpty {
            out +=
                "elsewhere in the file: \(elsewhere.count) tensor\(elsewhere.count == 1 ? "" : "s"), \(byteSize(elsewhere.reduce(0) { $0 + bytes($1.tensor) }))\n"
            out += tensorTable(elsewhere, header: "path")
        }
        let opaque = checkpoint.opaqueObjects
        out += "opaque objects: \(opaque.isEmpty ? "none" : opaque.joined(separator: ", "))\n"
        return out
    }

    /// Rows of name, dtype, shape and size, columns aligned (size to the right).
    private static func tensorTable(_ tensors: [(String, Tensor)], header: String) -> String {
        var rows = [[header, "dtype", "shape", "size"]]
        for (name, tensor) in tensors {
            rows.append([name, tensor.dtype.rawValue, "[\(tensor.shape.map(String.init).joined(separator: ", "))]", byteSize(bytes(tensor))])
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                column == 3
                    ? String(repeating: " ", count: widths[column] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        return out
    }

    static func json(_ checkpoint: Checkpoint, _ selection: StateDictSelection) throws -> String {
        func tensor(_ label: String, _ name: String, _ tensor: Tensor) -> String {
            "{\"\(label)\": \(JSONString.quoted(name)), \"dtype\": \"\(tensor.dtype.rawValue)\", "
                + "\"shape\": [\(tensor.shape.map(String.init).joined(separator: ", "))], \"sha256\": \"\(sha256(tensor))\"}"
        }
        let choice = selection.choice
        let tensors = selection.stateDict.entries.map { tensor("name", $0.name, $0.tensor) }
        let elsewhere = try checkpoint.tensors(outside: choice).map { tensor("path", $0.path, $0.tensor) }
        return "{\"format\": \"\(checkpoint.format.rawValue)\", \"state_dict\": {\"path\": \(JSONString.quoted(choice.path)), "
            + "\"reason\": \"\(choice.reason.rawValue)\", \"stripped_module_prefix\": \(choice.strippedModulePrefix)}, "
            + "\"tensors\": [\(tensors.joined(separator: ", "))], \"elsewhere\": [\(elsewhere.joined(separator: ", "))], "
            + "\"opaque\": [\(checkpoint.opaqueObjects.map(JSONString.quoted).joined(separator: ", "))]}\n"
    }

    /// `--scan`: each global with its uses, against PyTorch's weights_only allowlist, then the module
    /// sources the file carries and what a TorchScript archive's code is.
    static func scan(_ scan: Checkpoint.Scan) -> String {
        var out = "format: \(scan.format.rawValue)\n"
        if scan.format == .safetensors {
            return out + "no pickle: a safetensors file holds only a JSON header and raw tensor bytes\n"
        }
        out += "allowlist: PyTorch's own weights_only=True unpickler (torch/_weights_only_unpickler.py, torch 2.15)\n"
        let nameWidth = scan.globals.map(\.name.count).max() ?? 0
        let countWidth = String(scan.globals.map(\.count).max() ?? 0).count
        for global in scan.globals {
            let label = global.isWeightsOnlyAllowed ? "allowlisted" : scan.format == .torchScript && isScripted(global) ? "SCRIPTED   " : "FOREIGN    "
            let name = global.name + String(repeating: " ", count: nameWidth - global.name.count)
            let count = String(repeating: " ", count: countWidth - String(global.count).count) + "\(global.count)×"
            let note =
                !global.isWeightsOnlyAllowed && global.isAllowlisted ? "  (swift-pth reads it as plain data; torch.load(weights_only=True) refuses it)" : ""
            out += "  \(label)  \(name)  \(count)\(note)\n"
        }
        if !scan.moduleSources.isEmpty {
            out +=
                "module classes saved with their source (recorded, never run): "
                + scan.moduleSources.map { "\($0.className) (\($0.file), \($0.source.utf8.count) bytes)" }.joined(separator: ", ") + "\n"
        }
        let refused = scan.globals.filter { !$0.isWeightsOnlyAllowed }.count
        if scan.format == .torchScript {
            out +=
                "TorchScript archive: its code/ is TorchScript, not Python; torch.jit.load compiles it and runs it "
                + "(a class's __setstate__ at load, forward when called); swift-pth reads only data.pkl's tensors\n"
            out +=
                "\(refused) name\(refused == 1 ? "" : "s") off the allowlist: torch.load(weights_only=True) refuses the archive, "
                + "torch.jit.load resolves them to code/'s TorchScript classes and its own pickle helpers; swift-pth keeps them as inert opaque values\n"
        } else if refused == 0 {
            out += "every global is an allowlisted data constructor\n"
        } else {
            out +=
                "\(refused) global\(refused == 1 ? "" : "s") off the allowlist: torch.load(weights_only=True) refuses the file, and "
                + "plain pickle.load (or weights_only=False) would import and call \(refused == 1 ? "it" : "them"); swift-pth keeps them as inert opaque values\n"
        }
        return out
    }

    /// `--scan --json`: `{"format", "allowlist", "globals": [{"name", "count", "weights_only_allowed",
    /// "read_as_data"}], "module_sources": [{"class", "file", "bytes"}], "refused"}` — `refused` is the number of
    /// globals `torch.load(weights_only=True)` refuses (the exit status is 3 when it is not 0).
    static func scanJSON(_ scan: Checkpoint.Scan) -> String {
        let globals = scan.globals.map {
            "{\"name\": \(JSONString.quoted($0.name)), \"count\": \($0.count), \"weights_only_allowed\": \($0.isWeightsOnlyAllowed), "
                + "\"read_as_data\": \($0.isAllowlisted)}"
        }
        let sources = scan.moduleSources.map {
            "{\"class\": \(JSONString.quoted($0.className)), \"file\": \(JSONString.quoted($0.file)), \"bytes\": \($0.source.utf8.count)}"
        }
        let allowlist = scan.format == .safetensors ? "null" : JSONString.quoted("torch/_weights_only_unpickler.py (torch 2.15)")
        return "{\"format\": \"\(scan.format.rawValue)\", \"allowlist\": \(allowlist), \"globals\": [\(globals.joined(separator: ", "))], "
            + "\"module_sources\": [\(sources.joined(separator: ", "))], \"refused\": \(scan.globals.filter { !$0.isWeightsOnlyAllowed }.count)}\n"
    }

    /// In a TorchScript archive: a class of its code/ (`__torch__.…`) or a helper of torch.jit's own unpickler.
    private static func isScripted(_ global: Checkpoint.GlobalReference) -> Bool {
        global.name.hasPrefix("__torch__.") || global.name.hasPrefix("torch.jit._pickle.")
    }

    private static func bytes(_ tensor: Tensor) -> Int { tensor.count * tensor.dtype.byteSize }

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
}
