import CKernels
import XCTest

@testable import PthKernels

/// The packed GEMM micro-kernel of every instruction set this CPU runs, against the product summed in
/// Double with the epilogue applied in Double (PyTorch's formulas), and against OpenBLAS: shapes
/// whose M, N and K are not multiples of any register block, K = 1, N = 1, K over several cache
/// blocks, M and N over several blocks; every epilogue; B's rows scaled as they are packed or not;
/// serial and cut over two cores; B and C as slices of wider buffers, which must not be written
/// outside the slice.
final class PackedMatrixTests: XCTestCase {
    func testBaselineMatchesDoubleProductAndOpenBLAS() throws { try check(.baseline) }

    func testAVX2MatchesDoubleProductAndOpenBLAS() throws { try check(.avx2) }

    func testAVX512MatchesDoubleProductAndOpenBLAS() throws { try check(.avx512) }

    func testUnpackGivesTheMatrixBack() {
        for isa in InstructionSet.supported {
            for (m, k) in [(1, 1), (7, 3), (17, 40)] {
                let lda = k + 3, a = pseudoRandom(count: m * lda, seed: 5)
                let packed = a.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: m, columns: k, leadingDimension: lda, instructionSet: isa) }
                let expected = (0..<m).flatMap { i in a[(i * lda)..<(i * lda + k)] }
                XCTAssertEqual(packed.unpacked(), expected, "\(isa) \(m)×\(k)")
            }
        }
    }

    /// The transposed product (B read as its transpose, C written as its transpose, as Winograd's
    /// GEMMs use it) of every instruction set this CPU runs, on the same shapes, against the Double
    /// product; the padding between the transposed rows of C is never written. With B packed ahead
    /// of the product, it gives the same bits.
    func testTransposedProductMatchesDoubleProduct() throws {
        for isa in InstructionSet.supported {
            for (m, n, k) in Self.shapes {
                let lda = k + 1, ldbt = k + 2, ldct = m + 3
                let a = pseudoRandom(count: m * lda, seed: 7), bt = pseudoRandom(count: n * ldbt, seed: 8)
                var packed = [Float](repeating: .nan, count: pth_gemm_packed_count(isa.isa, m, k))
                var ct = [Float](repeating: .nan, count: n * ldct)
                var scratch = [Float](repeating: .nan, count: pth_gemm_scratch_count_for(isa.isa, n, k))
                a.withUnsafeBufferPointer { a in
                    packed.withUnsafeMutableBufferPointer { pth_gemm_pack(isa.isa, a.baseAddress!, lda, m, k, $0.baseAddress!) }
                }
                packed.withUnsafeBufferPointer { packed in
                    bt.withUnsafeBufferPointer { bt in
                        ct.withUnsafeMutableBufferPointer { ct in
                            scratch.withUnsafeMutableBufferPointer { scratch in
                                pth_gemm_packed_transposed(
                                    isa.isa, m, n, k, packed.baseAddress!, bt.baseAddress!, ldbt, ct.baseAddress!, ldct,
                                    scratch.baseAddress!)
                            }
                        }
                    }
                }
                // The same product with B packed once ahead (`pth_gemm_pack_b_transposed`): the same sums, bit for bit.
                var packedB = [Float](repeating: .nan, count: pth_gemm_packed_b_count(isa.isa, n, k))
                var prepackedCt = [Float](repeating: .nan, count: n * ldct)
                bt.withUnsafeBufferPointer { bt in
                    packedB.withUnsafeMutableBufferPointer {
                        pth_gemm_pack_b_transposed(isa.isa, bt.baseAddress!, ldbt, n, k, $0.baseAddress!)
                    }
                }
                packed.withUnsafeBufferPointer { packed in
                    packedB.withUnsafeBufferPointer { packedB in
                        prepackedCt.withUnsafeMutableBufferPointer { ct in
                            pth_gemm_prepacked_transposed(isa.isa, m, n, k, packed.baseAddress!, packedB.baseAddress!, ct.baseAddress!, ldct)
                        }
                    }
                }
                XCTAssertEqual(
                    prepackedCt.map(\.bitPattern), ct.map(\.bitPattern), "\(isa) \(m)×\(n)×\(k): B packed ahead gives other bits")
                for j in 0..<n {
                    for i in 0..<m {
                        var sum = 0.0, magnitude = 0.0
                        for p in 0..<k {
                            let product = Double(a[i * lda + p]) * Double(bt[j * ldbt + p])
                            sum += product
                            magnitude += abs(product)
                        }
                        let tolerance = 1e-6 * (Double(k).squareRoot() * magnitude + abs(sum) + 1)
                        XCTAssertEqual(Double(ct[j * ldct + i]), sum, accuracy: tolerance, "\(isa) \(m)×\(n)×\(k) at \(i),\(j)")
                    }
                    for i in m..<ldct { XCTAssertTrue(ct[j * ldct + i].isNaN, "\(isa) \(m)×\(n)×\(k) wrote past column \(j)") }
                }
            }
        }
    }

    /// (m, n, k): ragged everywhere, the degenerate sizes, K past the 256-deep cache block (twice),
    /// M past the 120-row block and N past the 512-column block; one column with more panels than
    /// the matrix-vector product runs side by side and K past two of its 512-deep chunks.
    static let shapes = [
        (1, 1, 1), (5, 1, 7), (7, 3, 1), (13, 17, 29), (6, 16, 8), (9, 33, 300), (3, 40, 600),
        (130, 21, 40), (11, 530, 19), (24, 49, 257), (100, 1, 1100),
    ]

    /// `gated`: B's rows multiplied by one factor each as they are packed (a squeeze-excitation gate).
    static let epilogues: [(name: String, activation: ActivationFunction, scaled: Bool, residual: Bool, gated: Bool, f: @Sendable (Double) -> Double)] = [
        ("plain", .identity, false, false, false, { $0 }),
        ("scaled", .identity, true, false, false, { $0 }),
        ("relu", .relu, true, false, false, { max($0, 0) }),
        ("relu6", .relu6, true, false, false, { min(max($0, 0), 6) }),
        ("silu", .silu, true, false, false, { $0 / (1 + Foundation.exp(-$0)) }),
        ("sigmoid", .sigmoid, true, false, false, { 1 / (1 + Foundation.exp(-$0)) }),
        ("hardswish", .hardswish, true, false, false, { $0 * min(max($0 + 3, 0), 6) / 6 }),
        ("hardsigmoid", .hardsigmoid, true, false, false, { min(max($0 + 3, 0), 6) / 6 }),
        ("residual+relu", .relu, true, true, false, { max($0, 0) }),
        ("residual", .identity, false, true, false, { $0 }),
        ("gated", .identity, false, false, true, { $0 }),
        ("gated+scaled+residual", .identity, true, true, true, { $0 }),
    ]

    private func check(_ isa: InstructionSet) throws {
        try XCTSkipUnless(isa.isSupported, "this CPU cannot run \(isa) kernels; their test runs on one that can")
        for (m, n, k) in Self.shapes {
            let lda = k + 1, ldb = n + 3, ldc = n + 5
            let a = pseudoRandom(count: m * lda, seed: 1), b = pseudoRandom(count: k * ldb, seed: 2)
            let scale = pseudoRandom(count: m, seed: 3).map { 0.5 + abs($0) }, bias = pseudoRandom(count: m, seed: 4)
            let residual = pseudoRandom(count: m * ldc, seed: 6)
            let gate = pseudoRandom(count: k, seed: 7).map { 2 * $0 }
            let packed = a.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: m, columns: k, leadingDimension: lda, instructionSet: isa) }
            // [plain, gated] sums and sums of magnitudes
            var sums = [[Double]](repeating: [Double](repeating: 0, count: m * n), count: 2), magnitudes = sums
            for i in 0..<m {
                for j in 0..<n {
                    for p in 0..<k {
                        let product = Double(a[i * lda + p]) * Double(b[p * ldb + j])
                        sums[0][i * n + j] += product
                        magnitudes[0][i * n + j] += abs(product)
                        sums[1][i * n + j] += product * Double(gate[p])
                        magnitudes[1][i * n + j] += abs(product * Double(gate[p]))
                    }
                }
            }
            let blas = openBLAS(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, ldc: ldc)
            let two = WorkSplit(threads: 2, splitsSmallWork: true)
            for (split, sharesB) in [(WorkSplit.serial, false), (two, false), (two, true)] {
                for epilogue in Self.epilogues {
                    let c = multiply(
                        packed, n: n, b: b, ldb: ldb, bScale: epilogue.gated ? gate : nil, ldc: ldc, scale: epilogue.scaled ? scale : nil,
                        bias: epilogue.scaled ? bias : nil, residual: epilogue.residual ? residual : nil,
                        activation: epilogue.activation, split: split, sharesB: sharesB)
                    let context = "\(isa) \(m)×\(n)×\(k) \(epilogue.name) threads \(split.threads) B shared \(sharesB)"
                    for i in 0..<m {
                        for j in 0..<n {
                            let gated = epilogue.gated ? 1 : 0
                            var x = sums[gated][i * n + j]
                            if epilogue.scaled { x = x * Double(scale[i]) + Double(bias[i]) }
                            if epilogue.residual { x += Double(residual[i * ldc + j]) }
                            let expected = epilogue.f(x)
                            // Float32 rounding of each product and partial sum (a random walk over K
                            // steps), scaled like the sum's terms; then the epilogue's few roundings.
                            let terms = magnitudes[gated][i * n + j] * Double(epilogue.scaled ? scale[i] : 1)
                            let tolerance = 1e-6 * (Double(k).squareRoot() * terms + abs(x) + 1)
                            XCTAssertEqual(Double(c[i * ldc + j]), expected, accuracy: tolerance, "\(context) at \(i),\(j)")
                            if epilogue.name == "plain" {
                                XCTAssertEqual(c[i * ldc + j], blas[i * ldc + j], accuracy: Float(tolerance), "\(context) vs OpenBLAS at \(i),\(j)")
                            }
                        }
                        for j in n..<ldc { XCTAssertTrue(c[i * ldc + j].isNaN, "\(context) wrote past row \(i)") }
                    }
                }
            }
        }
    }

    /// ReLU and ReLU6 are applied in the micro-kernel's registers on whole tiles and by the activation
    /// loops elsewhere; the other activations by the activation loops over each finished block of C
    /// (in one run where its rows are contiguous, row by row where a block is narrower than C). All
    /// must give the bits the activation kernel gives on the finished sums, −0 (which ReLU makes +0
    /// and SiLU keeps) and NaN (which they keep) included, with and without a residual, with a K
    /// longer than one cache block and with more columns than one block.
    func testFusedActivationIsBitIdenticalToTheActivationKernel() throws {
        for isa in InstructionSet.allCases where isa.isSupported {
            for (m, n, k) in [(12, 32, 8), (13, 37, 300), (6, 16, 1), (7, 600, 5)] {
                var a = pseudoRandom(count: m * k, seed: 11), b = pseudoRandom(count: k * n, seed: 12)
                // A zero row of A sums to +0, which a negative scale and a −0 bias make −0; a NaN
                // in B poisons one column.
                for p in 0..<k { a[p] = 0 }
                b[3] = .nan
                var scale = pseudoRandom(count: m, seed: 13).map { 0.5 + abs($0) }
                var bias = pseudoRandom(count: m, seed: 14).map { 8 * $0 }
                scale[0] = -1.5
                bias[0] = -0.0
                let residual = pseudoRandom(count: m * n, seed: 15).map { 4 * $0 }
                let packed = a.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: m, columns: k, instructionSet: isa) }
                for withResidual in [false, true] {
                    let plain = multiply(
                        packed, n: n, b: b, ldb: n, bScale: nil, ldc: n, scale: scale, bias: bias,
                        residual: withResidual ? residual : nil, activation: .identity, split: .serial)
                    for activation in [ActivationFunction.relu, .relu6, .silu, .sigmoid, .hardswish, .hardsigmoid] {
                        let fused = multiply(
                            packed, n: n, b: b, ldb: n, bScale: nil, ldc: n, scale: scale, bias: bias,
                            residual: withResidual ? residual : nil, activation: activation, split: .serial)
                        var separate = plain
                        separate.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: m * n, scale: 1, bias: 0) }
                        // ReLU passes a NaN on unchanged; through the exponential's arithmetic its sign
                        // may come out either way (as in PyTorch), so NaN only has to stay NaN.
                        let keepsNaN = activation == .relu || activation == .relu6
                        let bits = { (values: [Float]) in
                            values.map { $0.isNaN && !keepsNaN ? Float.nan.bitPattern : $0.bitPattern }
                        }
                        XCTAssertEqual(
                            bits(fused), bits(separate), "\(isa) \(m)×\(n)×\(k) \(activation) residual \(withResidual)")
                    }
                }
            }
        }
    }

    /// A product with one column (a squeeze-excitation conv at batch 1) gives the bits of the first
    /// column of the same product with two (the batch of two images): both sum each row over K in
    /// order. With C's column contiguous (the activation in one pass) and strided, a gate on B's
    /// rows, a residual and an activation, K over several chunks, M over several groups of panels.
    func testOneColumnGivesTheBitsOfAWiderProduct() throws {
        for isa in InstructionSet.allCases where isa.isSupported {
            for (m, k) in [(100, 1100), (7, 3), (53, 512)] {
                let a = pseudoRandom(count: m * k, seed: 21), b = pseudoRandom(count: k * 2, seed: 22)
                let gate = pseudoRandom(count: k, seed: 23).map { 2 * $0 }
                let scale = pseudoRandom(count: m, seed: 24).map { 0.5 + abs($0) }, bias = pseudoRandom(count: m, seed: 25)
                let residual = pseudoRandom(count: m * 2, seed: 26)
                let packed = a.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: m, columns: k, instructionSet: isa) }
                for activation in [ActivationFunction.identity, .relu, .silu, .sigmoid] {
                    for gated in [false, true] {
                        let wide = multiply(
                            packed, n: 2, b: b, ldb: 2, bScale: gated ? gate : nil, ldc: 2, scale: scale, bias: bias,
                            residual: residual, activation: activation, split: .serial)
                        let context = "\(isa) \(m)×\(k) \(activation) gated \(gated)"
                        for ldc in [1, 2] {
                            let residualColumn = ldc == 1 ? stride(from: 0, to: m * 2, by: 2).map { residual[$0] } : residual
                            let column = multiply(
                                packed, n: 1, b: b, ldb: 2, bScale: gated ? gate : nil, ldc: ldc, scale: scale, bias: bias,
                                residual: residualColumn, activation: activation, split: .serial)
                            for i in 0..<m {
                                XCTAssertEqual(column[i * ldc].bitPattern, wide[i * 2].bitPattern, "\(context) ldc \(ldc) at row \(i)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// Cut over two cores by rows, B packed once for both (each packing a share of its panels) gives
    /// the bits of the serial product: ragged rows and columns, K over several cache blocks, a gate on
    /// B's rows, a residual, and an activation finished in registers and one finished after.
    func testBPackedOnceForAllCoresGivesTheSerialBits() throws {
        for isa in InstructionSet.allCases where isa.isSupported {
            for (m, n, k) in [(130, 21, 40), (54, 49, 600), (61, 37, 257), (97, 2, 9)] {
                let a = pseudoRandom(count: m * k, seed: 31), b = pseudoRandom(count: k * n, seed: 32)
                let gate = pseudoRandom(count: k, seed: 33), scale = pseudoRandom(count: m, seed: 34)
                let bias = pseudoRandom(count: m, seed: 35), residual = pseudoRandom(count: m * n, seed: 36)
                let packed = a.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: m, columns: k, instructionSet: isa) }
                let split = WorkSplit(threads: 2, splitsSmallWork: true)
                XCTAssertGreaterThan(packed.sharedPanelsCount(n: n, split: split), 0, "\(m)×\(n)×\(k) must take the path")
                for activation in [ActivationFunction.relu, .silu] {
                    let serial = multiply(
                        packed, n: n, b: b, ldb: n, bScale: gate, ldc: n, scale: scale, bias: bias, residual: residual,
                        activation: activation, split: .serial)
                    let shared = multiply(
                        packed, n: n, b: b, ldb: n, bScale: gate, ldc: n, scale: scale, bias: bias, residual: residual,
                        activation: activation, split: split, sharesB: true)
                    XCTAssertEqual(shared.map(\.bitPattern), serial.map(\.bitPattern), "\(isa) \(m)×\(n)×\(k) \(activation)")
                }
            }
        }
    }

    /// `sharesB`: scratch sized for products of `n` columns, so that a product cut by rows packs B once.
    private func multiply(
        _ packed: PackedMatrix, n: Int, b: [Float], ldb: Int, bScale: [Float]?, ldc: Int, scale: [Float]?, bias: [Float]?,
        residual: [Float]?, activation: ActivationFunction, split: WorkSplit, sharesB: Bool = false
    ) -> [Float] {
        var c = [Float](repeating: .nan, count: packed.rows * ldc)
        var scratch = [Float](repeating: .nan, count: packed.scratchCount(split: split, n: sharesB ? n : nil))
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    withOptionalPointer(scale) { scale in
                        withOptionalPointer(bias) { bias in
                            withOptionalPointer(residual) { residual in
                                withOptionalPointer(bScale) { bScale in
                                    packed.multiply(
                                        n: n, b: b.baseAddress!, ldb: ldb, bScale: bScale, c: c.baseAddress!, ldc: ldc,
                                        scale: scale, bias: bias, residual: residual, residualStride: ldc,
                                        activation: activation, scratch: scratch.baseAddress!,
                                        scratchColumns: sharesB ? n : nil, split: split)
                                }
                            }
                        }
                    }
                }
            }
        }
        return c
    }

    private func openBLAS(m: Int, n: Int, k: Int, a: [Float], lda: Int, b: [Float], ldb: Int, ldc: Int) -> [Float] {
        var c = [Float](repeating: .nan, count: m * ldc)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    Kernels.gemm(m: m, n: n, k: k, a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, c: c.baseAddress!, ldc: ldc)
                }
            }
        }
        return c
    }
}

private func withOptionalPointer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress!) }
}
