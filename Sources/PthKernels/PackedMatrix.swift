import CKernels

/// A weight matrix packed once, ahead of any multiplication, into the panel layout of one instruction
/// set's GEMM micro-kernel (`CKernels/gemm_template.h`): rows in panels of 4–8, each panel stored
/// column by column. OpenBLAS repacks its operands on every call; this matrix is packed when a plan
/// is made and read as is by every product after.
public struct PackedMatrix: Sendable {
    /// `m` and `k` of the `m × k` matrix.
    public let rows: Int, columns: Int
    /// The micro-kernel the layout is for; products run that kernel.
    public let instructionSet: InstructionSet
    private let values: [Float]

    /// Packs the row-major `rows × columns` matrix at `matrix` (rows `leadingDimension` floats apart,
    /// default `columns`) for `instructionSet`, which this CPU must support.
    public init(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int? = nil,
        instructionSet: InstructionSet = .active
    ) {
        precondition(rows >= 1 && columns >= 1, "a packed matrix needs rows and columns, given \(rows) × \(columns)")
        precondition(instructionSet.isSupported, "packed GEMM for \(instructionSet): this CPU cannot run it")
        self.rows = rows
        self.columns = columns
        self.instructionSet = instructionSet
        let isa = instructionSet.isa
        let count = pth_gemm_packed_count(isa, rows, columns)
        values = [Float](unsafeUninitializedCapacity: count) { packed, initialised in
            pth_gemm_pack(isa, matrix, leadingDimension ?? columns, rows, columns, packed.baseAddress!)
            initialised = count
        }
    }

    /// The row-major matrix back (for a kernel that needs another layout of the same weights).
    public func unpacked() -> [Float] {
        [Float](unsafeUninitializedCapacity: rows * columns) { matrix, initialised in
            values.withUnsafeBufferPointer { pth_gemm_unpack(instructionSet.isa, $0.baseAddress!, rows, columns, matrix.baseAddress!) }
            initialised = rows * columns
        }
    }

    /// Calls `body` with the packed panels (`pth_gemm_pack`'s layout for `instructionSet`).
    func withUnsafePanels<Result>(_ body: (UnsafePointer<Float>) throws -> Result) rethrows -> Result {
        try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Floats of scratch `multiply` needs when cut as `split` cuts it. With `n`, also room for B
    /// packed once for every core in products of `n` columns (see `multiply`'s `scratchColumns`).
    public func scratchCount(split: WorkSplit, n: Int? = nil) -> Int {
        split.threads * pth_gemm_scratch_count(instructionSet.isa) + (n.map { sharedPanelsCount(n: $0, split: split) } ?? 0)
    }

    /// Most floats of B packed once for every core (1.5 MiB: resnet50's 512 → 512 3×3 convs on a 7×7
    /// map, 4608 × 64).
    static let sharedPanelsBudget = 3 << 17

    /// Floats of B packed once and shared by the cores for a product of `n` columns, or 0 when each
    /// core packs B for itself. When the rows are cut over cores (`rows ≥ n`), every core would
    /// otherwise pack all of B (resnet50's 3×3 convs on 7×7 maps, 4608 × 49: packed by each core,
    /// about 0.15 ms of a 4 ms conv on two cores); so each packs a share of B's panels and all read
    /// them, when B fits the budget.
    func sharedPanelsCount(n: Int, split: WorkSplit) -> Int {
        let isa = instructionSet.isa
        guard rows >= n, n > 1, split.partCount(rows, alignment: Int(pth_gemm_panel_rows(isa)), minimum: minimumRows(n: n)) > 1
        else { return 0 }
        let count = pth_gemm_packed_b_count(isa, n, columns)
        return count <= Self.sharedPanelsBudget ? count : 0
    }

    /// Fewest rows (or columns, for `rows < n`) a core takes: below ~2 MFLOP per part the hop to
    /// another thread costs more than it saves.
    private func minimumRows(n: Int) -> Int { max(1, (1 << 20) / max(1, (rows >= n ? n : rows) * columns)) }

    /// `C[rows × n] = f(scale[i]·(A·B)[i][j] + bias[i] + residual[i][j])`: B row-major `columns × n`
    /// (rows `ldb` apart), C rows `ldc` apart, so either may be a slice of a larger buffer. `bScale`,
    /// nil for none, holds one factor per row of B, applied as B is packed: B's row `r` times
    /// `bScale[r]`, rounded once, or with `bShift`, `fma(b, bScale[r], bShift[r])`; then with
    /// `bReLU`, negative values become 0 (as `ActivationFunction.relu.apply` with that scale and
    /// bias rounds them). `scale` and `bias` hold one value per row (nil: 1 and 0);
    /// `residual`, nil for none, is a matrix the size of C (rows `residualStride` apart) that must not
    /// overlap it. `split` cuts C into blocks
    /// of rows (when `rows ≥ n`) or of columns at the micro-kernel's panel boundaries, each block on
    /// its own core with its own part of `scratch` (`scratchCount`). When `scratch` holds
    /// `scratchCount(split:n: scratchColumns)` floats and the rows are cut, B is packed once for all
    /// cores if it fits there. Every way gives the same bits.
    public func multiply(
        n: Int, b: UnsafePointer<Float>, ldb: Int, bScale: UnsafePointer<Float>? = nil,
        bShift: UnsafePointer<Float>? = nil, bReLU: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int, scale: UnsafePointer<Float>? = nil, bias: UnsafePointer<Float>? = nil,
        residual: UnsafePointer<Float>? = nil, residualStride: Int = 0,
        activation: ActivationFunction = .identity,
        scratch: UnsafeMutablePointer<Float>, scratchColumns: Int? = nil, split: WorkSplit = .serial
    ) {
        guard n > 0 else { return }
        let isa = instructionSet.isa, perPart = pth_gemm_scratch_count(isa)
        let minimum = minimumRows(n: n)
        precondition(bScale != nil || (bShift == nil && !bReLU), "a shift or ReLU on B's rows needs their scale")
        let transform = pth_gemm_input(scale: bScale, shift: bShift, relu: bReLU ? 1 : 0)
        // The epilogue of the rows from `first` on.
        func rowsEpilogue(_ first: Int) -> pth_gemm_epilogue {
            pth_gemm_epilogue(
                scale: scale.map { $0 + first }, bias: bias.map { $0 + first },
                residual: residual.map { $0 + first * residualStride },
                residual_stride: residualStride, activation: activation.kind)
        }
        withUnsafePointer(to: transform) { transform in
            values.withUnsafeBufferPointer { packed in
                let packed = packed.baseAddress!, input = bScale == nil ? nil : transform
                let shared = sharedPanelsCount(n: n, split: split)
                if shared > 0, shared <= scratchColumns.map({ sharedPanelsCount(n: $0, split: split) }) ?? 0 {
                    // Each core packs a range of B's panels, then multiplies its rows by all of them.
                    let panels = scratch + split.threads * perPart
                    split.forEachRange(n, alignment: Int(pth_gemm_panel_columns(isa)), minimum: max(1, 8192 / columns)) { range in
                        pth_gemm_pack_b(
                            isa, b + range.lowerBound, ldb, input, range.count, columns, panels + range.lowerBound * columns)
                    }
                    split.forEachRange(rows, alignment: Int(pth_gemm_panel_rows(isa)), minimum: minimum) { range in
                        let first = range.lowerBound
                        var epilogue = rowsEpilogue(first)
                        pth_gemm_prepacked(
                            isa, range.count, n, columns, packed + first * columns, panels, c + first * ldc, ldc, &epilogue)
                    }
                } else if rows >= n {
                    split.forEachPart(rows, alignment: Int(pth_gemm_panel_rows(isa)), minimum: minimum) { part, range in
                        let first = range.lowerBound
                        var epilogue = rowsEpilogue(first)
                        pth_gemm_packed(
                            isa, range.count, n, columns, packed + first * columns, b, ldb, input, c + first * ldc,
                            ldc, &epilogue, scratch + part * perPart)
                    }
                } else {
                    split.forEachPart(n, alignment: Int(pth_gemm_panel_columns(isa)), minimum: minimum) { part, range in
                        let first = range.lowerBound
                        var epilogue = pth_gemm_epilogue(
                            scale: scale, bias: bias, residual: residual.map { $0 + first },
                            residual_stride: residualStride, activation: activation.kind)
                        pth_gemm_packed(
                            isa, rows, range.count, columns, packed, b + first, ldb, input, c + first, ldc,
                            &epilogue, scratch + part * perPart)
                    }
                }
            }
        }
    }
}
