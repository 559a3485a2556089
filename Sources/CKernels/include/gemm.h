#ifndef PTH_GEMM_H
#define PTH_GEMM_H

#include "activations.h"
#include "isa.h"

/// What a packed GEMM does to each output row as it stores it: `y = f(scale[i]·acc + bias[i] +
/// residual[i][j])`, rows and columns counted from the call's C origin.
typedef struct {
    /// One factor per row, or NULL for 1.
    const float *scale;
    /// One term per row, or NULL for 0.
    const float *bias;
    /// A matrix the size of C added before the activation (a residual connection), rows
    /// `residual_stride` floats apart, or NULL for none. It must not overlap C (C holds partial
    /// sums while K is walked in blocks).
    const float *residual;
    long residual_stride;
    pth_activation_kind activation;
} pth_gemm_epilogue;

/// What a packed GEMM does to each row of B as it packs it: row `r` becomes `scale[r]·b` (rounded
/// once, as a separate scaling pass: a squeeze-excitation gate on a 1×1 conv's input channels) or,
/// with a shift, `fma(b, scale[r], shift[r])` (a BatchNorm before the conv); then, with `relu`,
/// `x < 0 ? 0 : x`. Rounded as the activation loops round `pth_activation(relu, …, scale, shift)`.
typedef struct {
    /// One factor per row of B (`k` of them).
    const float *scale;
    /// One term per row of B, or NULL for none.
    const float *shift;
    /// Whether a ReLU follows.
    int relu;
} pth_gemm_input;

/// Rows of A per packed panel for `isa` (a multiple of it is where a call on a slice of A's rows may start).
long pth_gemm_panel_rows(pth_isa isa);

/// Columns of C one micro-kernel call computes for `isa` (where a call on a slice of columns should start).
long pth_gemm_panel_columns(pth_isa isa);

/// Floats the packed form of an `m × k` matrix takes for `isa` (its rows padded to whole panels).
long pth_gemm_packed_count(pth_isa isa, long m, long k);

/// Where the packed form of an `m × k` matrix for `isa` keeps element (`row`, `column`): the one
/// definition of the layout `pth_gemm_pack` writes and the micro-kernel reads.
long pth_gemm_packed_index(pth_isa isa, long row, long column, long k);

/// Packs the row-major `m × k` matrix `a` (rows `lda` floats apart) into `packed` for `isa`'s
/// micro-kernel: panels of `pth_gemm_panel_rows` rows, each stored column by column, the last panel
/// padded with zero rows. Rows from a multiple `r` of the panel height start at `packed + r·k`.
void pth_gemm_pack(pth_isa isa, const float *a, long lda, long m, long k, float *packed);

/// The row-major `m × k` matrix back out of its packed form.
void pth_gemm_unpack(pth_isa isa, const float *packed, long m, long k, float *a);

/// Floats of scratch one `pth_gemm_packed` call needs (the panels of B it packs, a block at a time).
long pth_gemm_scratch_count(pth_isa isa);

/// Floats of scratch one product of `n` columns and depth `k` needs: its panels of B, at most
/// `pth_gemm_scratch_count` (less for a small product, such as one of Winograd's 36).
long pth_gemm_scratch_count_for(pth_isa isa, long n, long k);

/// `C[m × n] = epilogue(A · B)` with A packed for `isa` by `pth_gemm_pack` (`packed` may point at a
/// panel boundary inside a larger packed matrix of the same `k`), B row-major `k × n` with rows `ldb`
/// apart, C rows `ldc` apart (a slice of a larger buffer: a channel range of a concatenation). C's
/// previous contents are never read. `k` ≥ 1. `isa` must be one the CPU supports.
///
/// `input`, NULL for none, transforms B's rows as they are packed (`pth_gemm_input`).
void pth_gemm_packed(pth_isa isa, long m, long n, long k, const float *packed, const float *b, long ldb,
                     const pth_gemm_input *input, float *c, long ldc, const pth_gemm_epilogue *epilogue, float *scratch);

/// Packs the row-major `k × n` matrix B (rows `ldb` apart; its rows transformed by `input`, NULL for
/// none, as `pth_gemm_packed` transforms them) into the column panels `isa`'s micro-kernel reads, over
/// the whole of K: `pth_gemm_packed_b_count(isa, n, k)` floats, column `j`'s panel (from a multiple
/// of `pth_gemm_panel_columns`) at `packed_b + j·k`. Several calls may pack disjoint ranges of
/// whole panels (B and `packed_b` offset to the range's first column) for products that share B.
void pth_gemm_pack_b(pth_isa isa, const float *b, long ldb, const pth_gemm_input *input, long n, long k,
                     float *packed_b);

/// `pth_gemm_packed` with B packed ahead by `pth_gemm_pack_b` (same `isa`, `n` and `k`): the same
/// sums and the same bits, and no scratch, since nothing is packed per call. `k` ≥ 1.
void pth_gemm_prepacked(pth_isa isa, long m, long n, long k, const float *packed, const float *packed_b, float *c,
                        long ldc, const pth_gemm_epilogue *epilogue);

/// The plain product (no epilogue) with both B and C transposed: `Cᵀ[n × m] = (A · B)ᵀ` with A
/// packed for `isa`, B given as `bt`, its `n × k` transpose (rows `ldbt` apart), and C written as
/// `ct`, its `n × m` transpose (rows `ldct` apart). For a product whose operands are stored the other
/// way round (Winograd's transform-domain GEMMs keep each tile's channels together); only the
/// packing of B and the store of each tile differ from `pth_gemm_packed`. `k` ≥ 1.
void pth_gemm_packed_transposed(pth_isa isa, long m, long n, long k, const float *packed, const float *bt, long ldbt,
                                float *ct, long ldct, float *scratch);

/// Floats B takes packed whole for `isa` (`pth_gemm_pack_b`, `pth_gemm_pack_b_transposed`): `n` columns padded to whole
/// panels of `pth_gemm_panel_columns`, times `k`.
long pth_gemm_packed_b_count(pth_isa isa, long n, long k);

/// Packs the `k × n` matrix B, given as its `n × k` transpose `bt` (rows `ldbt` apart), into the
/// column panels `isa`'s micro-kernel reads, over the whole of K, for products that share one B
/// (`pth_gemm_prepacked_transposed`).
void pth_gemm_pack_b_transposed(pth_isa isa, const float *bt, long ldbt, long n, long k, float *packed_b);

/// `pth_gemm_packed_transposed` with B packed ahead by `pth_gemm_pack_b_transposed` (same `isa`, `n`
/// and `k`): nothing is packed per call, so it needs no scratch. `k` ≥ 1.
void pth_gemm_prepacked_transposed(pth_isa isa, long m, long n, long k, const float *packed, const float *packed_b,
                                   float *ct, long ldct);

#endif
