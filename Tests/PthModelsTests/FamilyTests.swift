import Foundation
import PthCheckpoint
import PthModels
import XCTest

/// Other members of the four families are the same builders with other parameters: each must ask
/// for exactly torchvision's keys with torchvision's shapes (`fixtures/models/families.json`).
final class FamilyTests: XCTestCase {
    private static let members: [String: Architecture] = [
        "resnet101": .resNet(name: "resnet101", layers: [3, 4, 23, 3]),
        "resnext50_32x4d": .resNet(name: "resnext50_32x4d", layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4),
        "wide_resnet50_2": .resNet(name: "wide_resnet50_2", layers: [3, 4, 6, 3], widthPerGroup: 128),
        "densenet161": .denseNet(name: "densenet161", growthRate: 48, blocks: [6, 12, 36, 24], initialFeatures: 96),
        "efficientnet_b3": .efficientNet(name: "efficientnet_b3", widthMultiplier: 1.2, depthMultiplier: 1.4, inputSize: 300),
    ]

    func testBuildersMatchTorchvisionKeyLayouts() throws {
        let data = try Data(contentsOf: ModelFixture.directory.appendingPathComponent("families.json"))
        let layouts = try JSONDecoder().decode([String: [String: [Int]]].self, from: data)
        XCTAssertEqual(Set(layouts.keys), Set(Self.members.keys))
        // One zero shared by every element: the layout is under test, not the values.
        let zero = TensorStorage(dtype: .float32, bytes: [0, 0, 0, 0])
        for (name, architecture) in Self.members {
            let layout = try XCTUnwrap(layouts[name])
            let entries = try layout.sorted { $0.key < $1.key }.map { key, shape in
                StateDict.Entry(
                    name: key,
                    tensor: try Tensor(
                        storage: zero, storageOffset: 0, shape: shape,
                        strides: [Int](repeating: 0, count: shape.count)))
            }
            XCTAssertNoThrow(try architecture.graph(from: StateDict(entries)), name)
        }
    }
}
