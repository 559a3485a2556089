import Foundation
import PthGraph
import PthModels
import XCTest

/// Every builder normalises with the eps PyTorch's module uses (`fixtures/models/batchnorm_eps.json`,
/// written from torchvision by `tools/make_fixtures.py norms`). A wrong eps keeps every key and shape
/// and changes every logit, so it is checked here for the whole zoo, not only where CI has weights.
final class BatchNormEpsTests: XCTestCase {
    private struct Norms: Decodable {
        let count: Int
        let `default`: Float?
        let exceptions: [String: Float]
    }

    func testEveryBatchNormUsesPyTorchsEps() throws {
        let data = try Data(contentsOf: ModelFixture.directory.appendingPathComponent("batchnorm_eps.json"))
        let table = try JSONDecoder().decode([String: Norms].self, from: data)
        XCTAssertEqual(Set(table.keys), Set(Architecture.all.map(\.name)))
        for architecture in Architecture.all {
            let expected = try XCTUnwrap(table[architecture.name], architecture.name)
            let norms = try architecture.syntheticGraph().nodes.compactMap { node -> (String, Float)? in
                if case .batchNorm(let norm) = node.op { return (node.name, norm.eps) }
                return nil
            }
            XCTAssertEqual(norms.count, expected.count, "\(architecture.name): BatchNorm modules")
            for (name, eps) in norms {
                let torch = try XCTUnwrap(expected.exceptions[name] ?? expected.default, "\(architecture.name) \(name)")
                XCTAssertEqual(eps, torch, "\(architecture.name) \(name): eps")
            }
        }
    }
}
