import PthModels
import PthNumpy
import PthRuntime
import XCTest

/// Each full-size architecture against PyTorch on the generated fixtures: relative L∞ error per
/// image ≤ 1e-4, and the same top-1 and top-5 set.
final class ParityTests: XCTestCase {
    func testResNet50() throws { try checkParity(ModelFixture("resnet50")) }
    func testInceptionV3() throws { try checkParity(ModelFixture("inception_v3")) }
    func testDenseNet121() throws { try checkParity(ModelFixture("densenet121")) }
    func testEfficientNetB0() throws { try checkParity(ModelFixture("efficientnet_b0")) }
}

/// Indices of the `k` largest values, largest first.
func topIndices(_ values: [Float], _ k: Int) -> [Int] {
    Array(values.indices.sorted { values[$0] > values[$1] }.prefix(k))
}

/// `[N, C]` means over H and W of an `[N, C, H, W]` feature map.
func channelMeans(_ map: FeatureMap) -> [Float] {
    let plane = map.shape.dropFirst(2).reduce(1, *)
    return stride(from: 0, to: map.values.count, by: plane).map { start in
        Float(map.values[start..<start + plane].reduce(0.0) { $0 + Double($1) } / Double(plane))
    }
}
