/// What a file that is no checkpoint is, told from its first bytes before any pickle opcode runs:
/// the usual mistakes (an image or an ONNX model passed as weights, a download that saved an HTML
/// login page, a Git LFS pointer left by a clone without `git lfs`).
enum FileKind {
    /// A one-line description of what the file is, or nil when it may be a checkpoint.
    static func nonCheckpoint(_ bytes: UnsafeRawBufferPointer) -> String? {
        func starts(with prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && zip(bytes[offset...], prefix).allSatisfy { $0 == $1 }
        }
        if starts(with: [0xFF, 0xD8, 0xFF]) { return "a JPEG image" }
        if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "a PNG image" }
        if starts(with: Array("GIF87a".utf8)) || starts(with: Array("GIF89a".utf8)) { return "a GIF image" }
        if starts(with: Array("RIFF".utf8)) && starts(with: Array("WEBP".utf8), at: 8) { return "a WebP image" }
        if starts(with: [0x93] + Array("NUMPY".utf8)) { return "a NumPy .npy array" }
        if starts(with: [0x89] + Array("HDF".utf8) + [0x0D, 0x0A, 0x1A, 0x0A]) { return "an HDF5 file (Keras or TensorFlow weights?)" }
        if starts(with: [0x1F, 0x8B]) { return "gzip-compressed data (decompress it first)" }
        if starts(with: Array("version https://git-lfs.github.com/spec/v1".utf8)) {
            return "a Git LFS pointer, not the file it points to (run `git lfs pull` in the repository)"
        }
        if looksLikeONNX(bytes) { return "an ONNX model (swift-pth reads what torch.save, torch.jit.save and safetensors write)" }
        guard let text = leadingText(bytes) else { return nil }
        // torch.save with pickle protocol 0 or 1 writes the legacy magic number as a text LONG.
        if text.hasPrefix("L119547037146038801333356") { return nil }
        let start = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }.prefix(64).lowercased()
        if start.hasPrefix("<!doctype html") || start.hasPrefix("<html") || start.hasPrefix("<head") {
            return "an HTML page (a login or error page saved in place of the download?)"
        }
        return "a plain text file"
    }

    /// ONNX's ModelProto as protobuf writes it: field 1 (`ir_version`, a small varint) first, then
    /// `producer_name`, `producer_version`, `domain`, `model_version`, `doc_string`, `graph` or `opset_import`.
    private static func looksLikeONNX(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 3, bytes[0] == 0x08, (1...0x7F).contains(bytes[1]) else { return false }
        return [0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42].contains(bytes[2])
    }

    /// The first 4 KiB as text, if they are UTF-8 without control characters other than tab, newline,
    /// carriage return and form feed (a character cut at the 4 KiB boundary is forgiven).
    private static func leadingText(_ bytes: UnsafeRawBufferPointer) -> String? {
        let head = UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, 4096)])
        guard head.allSatisfy({ $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0C }), !head.contains(0x7F) else { return nil }
        for cut in 0..<min(4, head.count) {
            if let text = String(validating: UnsafeRawBufferPointer(rebasing: head[..<(head.count - cut)]), as: UTF8.self) { return text }
            if head.count < 4096 { break }
        }
        return nil
    }
}
