import COpenBLAS

extension Kernels {
    /// Row-major `C[m×n] = A[m×k] · B[k×n]` (or with Bᵀ when `transposeB`, B then `[n×k]`),
    /// overwriting C. Leading dimensions allow operating on slices of larger buffers.
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        // A single column is a matrix-vector product (squeeze-excitation convs on 1×1 maps, linear
        // layers row by row): OpenBLAS's sgemm would still pack the whole matrix into panels.
        if n == 1 {
            cblas_sgemv(
                CblasRowMajor, CblasNoTrans, Int32(m), Int32(k), 1, a, Int32(lda),
                b, transposeB ? 1 : Int32(ldb), 0, c, Int32(ldc))
            return
        }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    /// The same product with C cut into `split.threads` blocks of rows (when m ≥ n) or of columns,
    /// each one single-threaded GEMM on its own core.
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int, split: WorkSplit
    ) {
        // Below ~2 MFLOP per part the hop to another thread costs more than it saves.
        let minimum = max(1, (1 << 20) / max(1, (m >= n ? n : m) * k))
        if m >= n {
            split.forEachRange(m, alignment: 8, minimum: minimum) { rows in
                gemm(
                    m: rows.count, n: n, k: k, a: a + rows.lowerBound * lda, lda: lda, b: b, ldb: ldb,
                    transposeB: transposeB, c: c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {
            split.forEachRange(n, alignment: 16, minimum: minimum) { columns in
                gemm(
                    m: m, n: columns.count, k: k, a: a, lda: lda,
                    b: b + columns.lowerBound * (transposeB ? ldb : 1), ldb: ldb,
                    transposeB: transposeB, c: c + columns.lowerBound, ldc: ldc)
            }
        }
    }

    /// Makes OpenBLAS single-threaded for the whole process: parallelism comes from `WorkSplit`
    /// alone (OpenBLAS's own pool spinning beside ours would fight it for the same cores). Its
    /// threaded build's workers, started when the library loaded, are stopped too: until they time
    /// out they spin, and on two cores that took one from reading a checkpoint (resnet50's load
    /// 48–135 ms with them, 44–57 without).
    public static func useSingleThreadedBLAS() {
        openblas_set_num_threads(1)
        pth_openblas_stop_threads()
    }

    /// Processors OpenBLAS detected: the default thread budget.
    public static var processorCount: Int { Int(openblas_get_num_procs()) }
}
