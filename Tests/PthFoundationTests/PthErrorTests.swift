import PthFoundation
import XCTest

/// Every layer's error prints as `where: what`, or just what when the message names its place.
final class PthErrorTests: XCTestCase {
    func testErrorsPrintWhereThenWhat() {
        struct Located: PthError { let location: String; let message: String }
        XCTAssertEqual(Located(location: "data.pkl offset 3", message: "bad opcode").description, "data.pkl offset 3: bad opcode")
        XCTAssertEqual(Located(location: "", message: "no tap named x").description, "no tap named x")
    }
}
