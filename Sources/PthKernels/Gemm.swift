import COpenBLAS

extension Kernels {
    /// Row-major `C[m×n] = A[m×k] · B[k×n]` (or with Bᵀ when `transposeB`, B then `[n×k]`),
    /// overwriting C. Leading dimensions allow operating on slices of larger buffers.
    public static func gemm(m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
                            c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    /// Sets how many threads OpenBLAS uses for every GEMM in this process; OpenBLAS's pool is
    /// the only source of parallelism in the kernels, so this is the whole thread budget.
    public static func setThreadCount(_ threads: Int) {
        openblas_set_num_threads(Int32(max(1, threads)))
    }

    /// The kernel set OpenBLAS runs (`Haswell`, `SkylakeX`, … — honours `OPENBLAS_CORETYPE`), for benchmark reports.
    public static var openBLASCore: String { String(cString: openblas_get_corename()) }

    /// Processors OpenBLAS detected: the default thread budget.
    public static var processorCount: Int { Int(openblas_get_num_procs()) }
}
