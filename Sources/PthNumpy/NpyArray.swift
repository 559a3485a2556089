import Foundation
import PthFoundation

/// A float32 array in NumPy's `.npy` format (version 1.0–3.0, C order, little-endian).
///
/// Only `float32` is accepted: anything else is rejected with an error naming the dtype
/// found, rather than silently converted.
public struct NpyArray: Sendable, Equatable {
    /// Dimensions, outermost first, as the header's `shape` tuple.
    public var shape: [Int]
    /// The values in C order, as many as the product of `shape`.
    public var values: [Float]

    /// An array of `shape` holding `values` in C order (their count must be the shape's product).
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "npy shape \(shape) given \(values.count) values")
        self.shape = shape
        self.values = values
    }

    /// A failure to read a `.npy` file, with the file's path.
    public struct Error: PthError {
        /// The file.
        public let path: String
        /// What is wrong in it.
        public let message: String
        /// The file.
        public var location: String { path }
    }

    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads a `.npy` file.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(path: path, message: "cannot read file")
        }
        try self.init(npyBytes: [UInt8](data), path: path)
    }

    /// Parses the bytes of a `.npy` file; `path` only names the source in errors.
    public init(npyBytes bytes: [UInt8], path: String = "<npy>") throws {
        // Messages quote header text, which may hold newlines: escape them so every error stays one line.
        func fail(_ message: String) -> Error {
            Error(path: path, message: message.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r"))
        }
        guard bytes.count >= 10, Array(bytes[0..<6]) == NpyArray.magic else { throw fail("not a .npy file (bad magic)") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail("unsupported .npy version \(major)")
        }
        guard headerStart + headerLength <= bytes.count,
            let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8)
        else {
            throw fail("truncated or unreadable header")
        }
        let descr = try NpyArray.field("descr", in: header, path: path)
        guard descr == "'<f4'" || descr == "'=f4'" else {
            throw fail("dtype \(descr) is not little-endian float32 ('<f4'); convert with .astype(numpy.float32)")
        }
        let fortran = try NpyArray.field("fortran_order", in: header, path: path)
        guard fortran == "False" else { throw fail("Fortran-ordered arrays are not supported; save a C-contiguous array") }
        let shapeText = try NpyArray.field("shape", in: header, path: path)
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let size = Int(trimmed), size >= 0 else { throw fail("bad shape \(shapeText)") }
            shape.append(size)
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail("shape \(shapeText) is too large") }
            count = product
        }
        let dataStart = headerStart + headerLength
        let dataBytes = bytes.count - dataStart
        guard dataBytes % 4 == 0, dataBytes / 4 == count else {
            throw fail("shape \(shape) needs \(count) float32 values, file has \(dataBytes) bytes of data")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[dataStart...]))
            }
        }
        self.shape = shape
        self.values = values
    }

    /// The value text of `'key': value` in a header dict literal.
    private static func field(_ key: String, in header: String, path: String) throws -> String {
        guard let keyRange = header.range(of: "'\(key)':") else {
            throw Error(path: path, message: "header has no '\(key)'")
        }
        let rest = header[keyRange.upperBound...].drop(while: { $0 == " " })
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { throw Error(path: path, message: "unterminated \(key)") }
            return String(rest[...close])
        }
        let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
        return rest[..<end].trimmingCharacters(in: .whitespaces)
    }

    /// The file's bytes: version 1.0 header padded to 64 bytes, then the data.
    public func npyBytes() -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = header.utf8.count
        var out = NpyArray.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
        out += Array(header.utf8)
        values.withUnsafeBytes { out += $0 }
        return out
    }

    /// Writes the array to `path` atomically.
    public func write(to path: String) throws {
        do {
            try Data(npyBytes()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw Error(path: path, message: "cannot write: \(error.localizedDescription)")
        }
    }
}
