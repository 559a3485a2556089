import Foundation
import PthFoundation
import XCTest

/// `OwnedMemory`: a slice keeps its parent's bytes valid after every other reference is gone, and a
/// slice of a file mapping is file-mapped too.
final class OwnedMemoryTests: XCTestCase {
    func testSliceKeepsItsParentAlive() {
        let values: [Float] = (0..<64).map(Float.init)
        var parent: OwnedMemory? = values.withUnsafeBytes { OwnedMemory(copying: $0) }
        weak let watched = parent
        let slice = parent!.slice(16..<48)
        parent = nil
        XCTAssertNotNil(watched, "the slice must keep its parent")
        XCTAssertEqual(Array(slice.buffer(of: Float.self)), Array(values[4..<12]))
        XCTAssertFalse(slice.isFileMapped)
        XCTAssertEqual(slice.slice(over: UnsafeRawBufferPointer(rebasing: slice.bytes[4..<8])).buffer(of: Float.self).first, 5)
    }

    func testSliceOfAFileMappingIsFileMappedAndReadsTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("owned-memory-\(getpid()).bin").path
        let bytes = (0..<8192).map { UInt8($0 % 251) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        let address = mmap(nil, bytes.count, PROT_READ, MAP_PRIVATE, descriptor, 0)
        close(descriptor)
        XCTAssertNotEqual(address, MAP_FAILED)
        let slice = OwnedMemory(adoptingFileMapping: UnsafeRawBufferPointer(start: address, count: bytes.count)).slice(4096..<8192)
        XCTAssertTrue(slice.isFileMapped)
        // Dropped pages read back unchanged from the file.
        slice.releaseResidentPages()
        XCTAssertEqual(Array(slice.bytes), Array(bytes[4096..<8192]))
    }

    func testAFailedInitialisationThrows() {
        struct Stop: Error {}
        XCTAssertThrowsError(try OwnedMemory(byteCount: 16) { _ in throw Stop() })
    }
}
