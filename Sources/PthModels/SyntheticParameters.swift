import PthGraph

/// Deterministic stand-in weights for an architecture, so `pth bench` can time a network without a
/// checkpoint. Values cycle through one pseudo-random table (as the test fixtures do) and are scaled
/// like torchvision's initialisation, so activations keep a realistic range through the depth.
struct SyntheticParameters: ParameterSource {
    /// Classes given to the classifier.
    let classes: Int
    private let table: [Float]
    private var offset = 0

    init(classes: Int = 1000) {
        self.classes = classes
        // A prime-length table of uniform values in [-√3, √3] (unit variance) from a fixed LCG.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        table = (0..<1021).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * 1.732_050_8
        }
    }

    mutating func constant(_ key: String, shape: [Int]) throws -> Constant {
        let start = offset
        offset = (offset + 389) % table.count
        let period: [Float]
        if key.hasSuffix("running_var") {
            period = table.map { 1 + 0.1 * abs($0) }
        } else if shape.count >= 2 {
            let scale = (2 / Float(shape.dropFirst().reduce(1, *))).squareRoot()
            period = table.map { $0 * scale }
        } else if key.hasSuffix("weight") {
            period = table.map { 1 + 0.1 * $0 }
        } else {
            period = table.map { 0.1 * $0 }
        }
        // Whole periods are copied in bulk: a synthetic ResNet50 is 25M values.
        let count = shape.reduce(1, *)
        var values = [Float]()
        values.reserveCapacity(count + period.count)
        values.append(contentsOf: period[start...])
        while values.count < count { values.append(contentsOf: period) }
        values.removeLast(values.count - count)
        return Constant(shape: shape, values: values)
    }

    func leadingDimension(of key: String, trailing: [Int]) throws -> Int { classes }

    func inputChannels(ofStem key: String, default channels: Int) throws -> Int { channels }

    /// Nothing can be left over: values are made on demand.
    func finish() throws {}
}
