import XCTest

@testable import PthKernels

/// `Kernels.gemm` against a product summed in Double: ordinary shapes, the matrix-vector shapes
/// (one column), B transposed or not, on slices of larger buffers, serial and split.
final class GemmTests: XCTestCase {
    func testMatchesDoubleProductForEveryShapeAndLayout() {
        for (m, n, k) in [(1, 1, 5), (1, 37, 19), (23, 1, 41), (17, 29, 13), (64, 3, 100)] {
            for transposeB in [false, true] {
                for split in [WorkSplit.serial, WorkSplit(threads: 3, splitsSmallWork: true)] {
                    // Leading dimensions wider than the matrices: the product must stay inside its slice.
                    let lda = k + 2, ldb = (transposeB ? k : n) + 3, ldc = n + 4
                    let a = pseudoRandom(count: m * lda, seed: 1)
                    let b = pseudoRandom(count: (transposeB ? n : k) * ldb, seed: 2)
                    var c = [Float](repeating: .nan, count: m * ldc)
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            c.withUnsafeMutableBufferPointer { c in
                                Kernels.gemm(
                                    m: m, n: n, k: k, a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                                    transposeB: transposeB, c: c.baseAddress!, ldc: ldc, split: split)
                            }
                        }
                    }
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0
                            for p in 0..<k {
                                sum += Double(a[i * lda + p]) * Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                            }
                            XCTAssertEqual(
                                Double(c[i * ldc + j]), sum, accuracy: 1e-5 * Double(k),
                                "\(m)×\(n)×\(k) transposeB \(transposeB) threads \(split.threads) at \(i),\(j)")
                        }
                        for j in n..<ldc { XCTAssertTrue(c[i * ldc + j].isNaN, "\(m)×\(n)×\(k) wrote past row \(i)") }
                    }
                }
            }
        }
    }
}
