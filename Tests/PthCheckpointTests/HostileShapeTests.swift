import Foundation
import XCTest

@testable import PthCheckpoint

/// Hand-made files of the new shapes that lie: each ends in a one-line error saying what and where.
final class HostileShapeTests: XCTestCase {
    /// A safetensors file: header length, the header, then `data`.
    static func safetensors(_ header: String, data: [UInt8]) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + data
    }

    static func load(_ bytes: [UInt8]) throws -> Checkpoint {
        try bytes.withUnsafeBytes { try Checkpoint(bytes: $0) }
    }

    func testSafetensorsReadsInDataOrderWithMetadataSkipped() throws {
        let floats: [Float] = [1.5, -2, 3]
        let data = floats.withUnsafeBytes(Array.init) + [7, 0, 1]
        let file = Self.safetensors(
            #"{"b":{"dtype":"U8","shape":[3],"data_offsets":[12,15]},"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"e":{"dtype":"I64","shape":[0,4],"data_offsets":[15,15]}}"#,
            data: data)
        let checkpoint = try Self.load(file)
        XCTAssertEqual(checkpoint.format, .safetensors)
        let stateDict = try checkpoint.stateDict()
        XCTAssertEqual(stateDict.names, ["a", "b", "e"])
        XCTAssertEqual(stateDict["a"]?.floats(), floats)
        XCTAssertEqual(stateDict["b"]?.floats(), [7, 0, 1])
        XCTAssertEqual(stateDict["e"]?.shape, [0, 4])
    }

    func testSafetensorsLiesAreRefused() {
        let data = [UInt8](repeating: 0, count: 16)
        let cases: [(String, [UInt8], String)] = [
            (
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}"#, data,
                "overlap the tensor before it"
            ),
            (
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, data,
                "leaving a gap after byte 8"
            ),
            (#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data + [0], "tensors cover 16 bytes but 17 follow the header"),
            (#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,32]}}"#, data, "outside the 16 bytes of data"),
            (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}"#, data, "shape [3] of F32 does not fill data_offsets [0, 16]"),
            (#"{"a":{"dtype":"F64","shape":[4611686018427387904, 4],"data_offsets":[0,16]}}"#, data, "overflows"),
            (#"{"a":{"dtype":"F8_E4M3","shape":[16],"data_offsets":[0,16]}}"#, data, "dtype F8_E4M3 is not supported"),
            (#"{"a":{"dtype":"F32","shape":[4]}}"#, data, "lacks dtype (a string), shape or data_offsets"),
            (#"{"a": [1, 2}"#, data, "is not a JSON object"),
        ]
        for (header, data, message) in cases {
            XCTAssertThrowsError(try Self.load(Self.safetensors(header, data: data)), header) { error in
                XCTAssertTrue("\(error)".contains(message), "\(header): \(error)")
                XCTAssertTrue("\(error)".hasPrefix("safetensors"), "\(error)")
            }
        }
    }

    /// Kinds without a fixture file: an HDF5 signature is named; a text LONG holding torch's legacy magic
    /// number (how protocols 0 and 1 start) is left to the legacy reader rather than called text.
    func testSignaturesBeforeAnyOpcode() {
        let hdf5: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 64)
        XCTAssertThrowsError(try Self.load(hdf5)) { XCTAssertTrue("\($0)".contains("this is an HDF5 file"), "\($0)") }
        XCTAssertThrowsError(try Self.load(Array("L119547037146038801333356L\n.".utf8))) { error in
            XCTAssertFalse("\(error)".contains("plain text"), "\(error)")
            XCTAssertTrue("\(error)".contains("legacy"), "\(error)")
        }
    }

    /// A module chain deeper than any network: the walk stops with the path where it gave up.
    func testModulesNestedTooDeepAreRefused() throws {
        var module = OpaqueObject.module(children: [])
        for _ in 0..<1001 { module = OpaqueObject.module(children: [("m", .opaque(module))]) }
        XCTAssertThrowsError(try ModuleTree.stateDict(.opaque(module), [:], at: "model")) { error in
            XCTAssertTrue("\(error)".contains("modules nested deeper than 1000 levels"), "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("model.m.m."), "\(error)")
        }
        var list = PickleValue.list([])
        for _ in 0..<1001 { list = .list([list]) }
        XCTAssertThrowsError(try TensorTree.tensors(list, [:])) { XCTAssertTrue("\($0)".contains("nested deeper than 1000 levels"), "\($0)") }
    }
}

extension OpaqueObject {
    /// An nn.Module as `torch.save(model)` pickles it: an object whose `__dict__` holds the three member dicts.
    fileprivate static func module(children: [(String, PickleValue)]) -> OpaqueObject {
        let state = PickleValue.dict([
            (.string("_parameters"), .dict([])), (.string("_buffers"), .dict([])),
            (.string("_modules"), .dict(children.map { (.string($0.0), $0.1) })),
        ])
        return OpaqueObject(name: "torch.nn.modules.container.Sequential", arguments: [], state: state, listItems: [], dictItems: [])
    }
}
