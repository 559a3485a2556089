// The packed GEMM, compiled once per instruction set: each kernels_<isa>.c includes this file
// (after activations_template.h, whose loops finish the output rows) with
//   GEMM_LANES  floats per vector (16 for AVX-512, 8 for AVX2, 4 for the baseline),
//   GEMM_MR     rows of A per packed panel, and so rows of C per micro-kernel call,
//   GEMM_FMA    1 where the target has fused multiply-add instructions.
// A micro-kernel call computes a GEMM_MR × GEMM_NR tile of C (GEMM_NR = two vectors) in
// 2·GEMM_MR vector registers: per k, two vectors of packed B, GEMM_MR broadcasts of packed A, and
// 2·GEMM_MR multiply-adds. The loops around it follow the BLIS order: B packed a GEMM_KC × GEMM_NC
// block at a time (by the block's first row of tiles, as they use it: `gemm_unpacked_panel`),
// A (packed once, ahead of time) walked GEMM_MC rows at a time so its block stays in
// L2 while every column panel of B passes it, and a column panel of B (16–32 KB) in L1 across those
// rows. Partial sums of K blocks before the last are kept in C; the last block's store applies the
// epilogue (scale, bias, residual, activation) while the tile is in cache.
#include "kernel_table.h"

#include <string.h>

#define GEMM_NR (2 * GEMM_LANES)

typedef float gemm_vec __attribute__((vector_size(GEMM_LANES * sizeof(float))));

static inline __attribute__((always_inline)) gemm_vec gemm_load(const float *p) {
    gemm_vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void gemm_store(float *p, gemm_vec v) { memcpy(p, &v, sizeof v); }

/// `value` in every lane. Lane by lane, not `{0} + value`: with contraction off the compiler must
/// keep that addition (it turns −0 into +0), an instruction per broadcast in the innermost loop.
static inline __attribute__((always_inline)) gemm_vec gemm_splat(float value) {
    gemm_vec v;
#pragma clang loop unroll(full)
    for (int lane = 0; lane < GEMM_LANES; lane++) v[lane] = value;
    return v;
}

static inline __attribute__((always_inline)) gemm_vec gemm_multiply_add(float a, gemm_vec b, gemm_vec c) {
    const gemm_vec broadcast = gemm_splat(a);
#if GEMM_FMA
    return __builtin_elementwise_fma(broadcast, b, c);
#else
    return broadcast * b + c;
#endif
}

/// Finishes a block of sums in place: `rows` rows of `columns` sums, `stride` floats apart, C's rows
/// from `row` and its columns from `column`, become `f(scale·s + bias + residual)`. The activation
/// runs in one pass over the whole block (`rows · stride` floats, the rows' spare columns too): a
/// long loop keeps several vectors of its long dependency chain (SiLU's exponential) in flight,
/// where a loop per row of 16 would not.
static inline __attribute__((always_inline)) void gemm_finish(float *sums, long stride, long rows, long columns, long row,
                                                              long column, const pth_gemm_epilogue *e) {
    for (long r = 0; r < rows; r++) {
        const float scale = e->scale ? e->scale[row + r] : 1, bias = e->bias ? e->bias[row + r] : 0;
        float *line = sums + r * stride;
        if (e->residual) {
            const float *residual = e->residual + (row + r) * e->residual_stride + column;
            for (long j = 0; j < columns; j++) line[j] = fmaf(line[j], scale, bias) + residual[j];
        } else {
            for (long j = 0; j < columns; j++) line[j] = fmaf(line[j], scale, bias);
        }
    }
    if (e->activation != pth_identity) in_place(e->activation, sums, rows * stride, 1, 0);
}

typedef int gemm_mask __attribute__((vector_size(GEMM_LANES * sizeof(int))));

/// `x < 0 ? 0 : x` lane by lane, by mask: −0 and NaN pass unchanged, as in the activation loops.
static inline __attribute__((always_inline)) gemm_vec gemm_relu(gemm_vec x) {
    const gemm_vec zero = {0};
    return (gemm_vec)((gemm_mask)x & ~(x < zero));
}

/// Whether `gemm_activate` computes `activation` in registers (the others run in the activation loops,
/// over each finished block of C: see `gemm_blocked`).
static inline __attribute__((always_inline)) int gemm_activates_in_registers(pth_activation_kind activation) {
    return activation == pth_identity || activation == pth_relu || activation == pth_relu6;
}

/// `activation` (identity, ReLU or ReLU6) of a vector with the activation loops' rounding: they
/// first compute `x·1 + 0`, which turns −0 into +0, then `x < 0 ? 0 : x` (NaN stays NaN), ReLU6
/// then `x > 6 ? 6 : x`. Comparisons and masks, not max/min, whose NaN and ±0 rules differ.
static inline __attribute__((always_inline)) gemm_vec gemm_activate(pth_activation_kind activation, gemm_vec x) {
    if (activation == pth_identity) return x;
    const gemm_vec zero = {0};
    gemm_mask bits = (gemm_mask)gemm_relu(x + zero);
    if (activation == pth_relu6) {
        const gemm_vec six = gemm_splat(6);
        const gemm_mask above = (gemm_vec)bits > six;
        bits = (bits & ~above) | ((gemm_mask)six & above);
    }
    return (gemm_vec)bits;
}

/// A whole panel row of B's row `row` (two vectors) transformed by `input` (`pth_gemm_input`),
/// rounded as `gemm_input_value` rounds each value.
static inline __attribute__((always_inline)) void gemm_transform_row(const pth_gemm_input *input, long row, gemm_vec *low,
                                                                     gemm_vec *high) {
    const gemm_vec factor = gemm_splat(input->scale[row]);
    if (input->shift) {
        const gemm_vec shift = gemm_splat(input->shift[row]);
        *low = __builtin_elementwise_fma(*low, factor, shift);
        *high = __builtin_elementwise_fma(*high, factor, shift);
    } else {
        *low *= factor;
        *high *= factor;
    }
    if (input->relu) {
        *low = gemm_relu(*low);
        *high = gemm_relu(*high);
    }
}

/// A column panel of B not packed yet: `b` its first row (rows `ldb` apart, the first being B's row
/// `first_row`, transformed by `input` when given), `packed` where its packed rows go. The first
/// tile to use a panel packs it as it sums it (`gemm_accumulate`): the copy's loads and stores run
/// among the multiply-adds instead of in a pass of their own.
typedef struct {
    const float *b;
    long ldb;
    const pth_gemm_input *input;
    long first_row;
    float *packed;
} gemm_unpacked_panel;

/// Sums one GEMM_MR × GEMM_NR tile over `kc` steps of K into `low` (columns 0..<GEMM_LANES) and
/// `high` (the rest): `a` the packed panel's rows at this K block, `b` the packed column panel, or,
/// with `unpacked` (whole panels only), B's rows, packed on the way (`gemm_unpacked_panel`). Only the
/// first `rows` rows are summed (a compile-time constant in each copy, see `GEMM_WITH_ROWS`): the
/// last panel of 64 or 128 output channels holds 4 or 2 rows of 6, and summing its zero rows would
/// cost as much as a whole panel.
/// Every sum runs over K in order, except with `chains`, where a tile of one column sums in four
/// interleaved chains (another rounding, so a caller whose columns move between tiles with the way
/// the work is cut, as Winograd's tiles do, passes 0 to keep its sums the same whatever the cut).
static inline __attribute__((always_inline)) void gemm_accumulate(long kc, const float *restrict a, const float *restrict b,
                                                                  long rows, long columns, int chains,
                                                                  gemm_vec low[GEMM_MR], gemm_vec high[GEMM_MR],
                                                                  const gemm_unpacked_panel *unpacked) {
#pragma clang loop unroll(full)
    for (int r = 0; r < GEMM_MR; r++) low[r] = high[r] = (gemm_vec){0};
    if (unpacked) {
        // Each step's two vectors of B, transformed as `gemm_pack_b` transforms them, are stored to
        // the panel and multiplied: the same values, so the same sums, as from the packed panel.
        const pth_gemm_input *input = unpacked->input;
        for (long k = 0; k < kc; k++) {
            const float *source = unpacked->b + k * unpacked->ldb;
            gemm_vec b0 = gemm_load(source), b1 = gemm_load(source + GEMM_LANES);
            if (input) gemm_transform_row(input, unpacked->first_row + k, &b0, &b1);
            gemm_store(unpacked->packed + k * GEMM_NR, b0);
            gemm_store(unpacked->packed + k * GEMM_NR + GEMM_LANES, b1);
#pragma clang loop unroll(full)
            for (int r = 0; r < rows; r++) {
                low[r] = gemm_multiply_add(a[k * GEMM_MR + r], b0, low[r]);
                high[r] = gemm_multiply_add(a[k * GEMM_MR + r], b1, high[r]);
            }
        }
        return;
    }
    if (chains && columns == 1 && GEMM_LANES >= GEMM_MR) {
        // One column (49 = 3·16 + 1 pixels of a 7×7 map): the vector of A's panel at step k holds
        // that step's GEMM_MR values (and the next step's first ones, whose products are ignored),
        // times one value of B, in four independent chains of sums: a sixth of the multiply-adds
        // of the half-tile path below. The last steps, whose vector would run past the block, are
        // summed one value at a time.
        gemm_vec sums[4] = {{0}, {0}, {0}, {0}};
        const long vectors = kc - ((GEMM_LANES + GEMM_MR - 1) / GEMM_MR - 1);
        long k = 0;
        for (; k + 4 <= vectors; k += 4) {
#pragma clang loop unroll(full)
            for (int j = 0; j < 4; j++) sums[j] = gemm_multiply_add(b[(k + j) * GEMM_NR], gemm_load(a + (k + j) * GEMM_MR), sums[j]);
        }
        for (; k < vectors; k++) sums[0] = gemm_multiply_add(b[k * GEMM_NR], gemm_load(a + k * GEMM_MR), sums[0]);
        const gemm_vec total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
#pragma clang loop unroll(full)
        for (int r = 0; r < GEMM_MR; r++) {
            float sum = total[r];
            for (long step = k; step < kc; step++) {
#if GEMM_FMA
                sum = fmaf(a[step * GEMM_MR + r], b[step * GEMM_NR], sum);
#else
                sum += a[step * GEMM_MR + r] * b[step * GEMM_NR];
#endif
            }
            low[r][0] = sum;
        }
        return;
    }
    if (columns <= GEMM_LANES) {
        // A last panel of at most one vector's columns (49 = 3·16 + 1 pixels of a 7×7 map) skips
        // the half of the multiply-adds that would only feed padding.
        for (long k = 0; k < kc; k++) {
            const gemm_vec b0 = gemm_load(b + k * GEMM_NR);
#pragma clang loop unroll(full)
            for (int r = 0; r < rows; r++) low[r] = gemm_multiply_add(a[k * GEMM_MR + r], b0, low[r]);
        }
    } else {
        for (long k = 0; k < kc; k++) {
            const gemm_vec b0 = gemm_load(b + k * GEMM_NR), b1 = gemm_load(b + k * GEMM_NR + GEMM_LANES);
#pragma clang loop unroll(full)
            for (int r = 0; r < rows; r++) {
                low[r] = gemm_multiply_add(a[k * GEMM_MR + r], b0, low[r]);
                high[r] = gemm_multiply_add(a[k * GEMM_MR + r], b1, high[r]);
            }
        }
    }
}

/// Expands `BODY(rows)` with `rows` (1 … GEMM_MR) as a compile-time constant: one copy of a tile
/// per row count, each summing and storing only its rows.
#define GEMM_WITH_ROWS(rows, BODY) \
    _Static_assert(GEMM_MR <= 8, "GEMM_WITH_ROWS expands up to 8 rows"); \
    switch (rows) { \
    case 1: BODY(1); break; \
    case 2: BODY(GEMM_MR < 2 ? GEMM_MR : 2); break; \
    case 3: BODY(GEMM_MR < 3 ? GEMM_MR : 3); break; \
    case 4: BODY(GEMM_MR < 4 ? GEMM_MR : 4); break; \
    case 5: BODY(GEMM_MR < 5 ? GEMM_MR : 5); break; \
    case 6: BODY(GEMM_MR < 6 ? GEMM_MR : 6); break; \
    case 7: BODY(GEMM_MR < 7 ? GEMM_MR : 7); break; \
    default: BODY(GEMM_MR); break; \
    }

/// One GEMM_MR × GEMM_NR tile over `kc` steps of K (see `gemm_accumulate`), of which the first
/// `rows` (a compile-time constant here) are summed; only `rows × columns` of the tile are stored
/// (the rest are zero padding of A or B). `first`: C holds nothing yet; `last`: this is the final
/// K block. With `unpacked`, B's panel is packed into `b` on the way (`gemm_unpacked_panel`).
static inline __attribute__((always_inline)) void gemm_tile_rows(long kc, const float *restrict a,
                                                                 const float *restrict b, float *c, long ldc,
                                                                 const long rows, long columns, int first, int last,
                                                                 long row, long column, const pth_gemm_epilogue *e,
                                                                 const gemm_unpacked_panel *unpacked) {
    gemm_vec low[GEMM_MR], high[GEMM_MR];
    gemm_accumulate(kc, a, b, rows, columns, 1, low, high, unpacked);
    if (columns == GEMM_NR && (!last || (GEMM_FMA && gemm_activates_in_registers(e->activation)))) {
        // A tile of whole rows stays in registers: partial sums added to C's, and after the last K
        // block the epilogue, each step rounded as `gemm_finish` and the activation loops round it.
#pragma clang loop unroll(full)
        for (int r = 0; r < rows; r++) {
            float *p = c + r * ldc;
            if (!first) {
                low[r] += gemm_load(p);
                high[r] += gemm_load(p + GEMM_LANES);
            }
            if (last) {
                const gemm_vec scale = gemm_splat(e->scale ? e->scale[row + r] : 1);
                const gemm_vec bias = gemm_splat(e->bias ? e->bias[row + r] : 0);
                low[r] = __builtin_elementwise_fma(low[r], scale, bias);
                high[r] = __builtin_elementwise_fma(high[r], scale, bias);
                if (e->residual) {
                    const float *residual = e->residual + (row + r) * e->residual_stride + column;
                    low[r] += gemm_load(residual);
                    high[r] += gemm_load(residual + GEMM_LANES);
                }
                low[r] = gemm_activate(e->activation, low[r]);
                high[r] = gemm_activate(e->activation, high[r]);
            }
            gemm_store(p, low[r]);
            gemm_store(p + GEMM_LANES, high[r]);
        }
        return;
    }
    float tile[GEMM_MR][GEMM_NR];
#pragma clang loop unroll(full)
    for (int r = 0; r < GEMM_MR; r++) {
        gemm_store(tile[r], low[r]);
        gemm_store(tile[r] + GEMM_LANES, high[r]);
    }
    if (!first) {
        for (long r = 0; r < rows; r++) {
            for (long j = 0; j < columns; j++) tile[r][j] += c[r * ldc + j];
        }
    }
    if (last) gemm_finish(tile[0], GEMM_NR, rows, columns, row, column, e);
    if (columns == GEMM_NR) {
        // Whole rows (finished in memory: without FMA, or with an activation the loops apply):
        // vector stores, not a copy call per row.
#pragma clang loop unroll(full)
        for (int r = 0; r < rows; r++) {
            gemm_store(c + r * ldc, gemm_load(tile[r]));
            gemm_store(c + r * ldc + GEMM_LANES, gemm_load(tile[r] + GEMM_LANES));
        }
        return;
    }
    for (long r = 0; r < rows; r++) memcpy(c + r * ldc, tile[r], sizeof(float) * columns);
}

/// `gemm_tile_rows` with `rows` known only at run time.
static inline __attribute__((always_inline)) void gemm_tile(long kc, const float *restrict a, const float *restrict b,
                                                            float *c, long ldc, long rows, long columns, int first,
                                                            int last, long row, long column, const pth_gemm_epilogue *e,
                                                            const gemm_unpacked_panel *unpacked) {
#define GEMM_TILE_ROWS(r) gemm_tile_rows(kc, a, b, c, ldc, r, columns, first, last, row, column, e, unpacked)
    GEMM_WITH_ROWS(rows, GEMM_TILE_ROWS)
#undef GEMM_TILE_ROWS
}

/// Row `row` of B's value `x` transformed by `input` (`pth_gemm_input`).
static inline __attribute__((always_inline)) float gemm_input_value(const pth_gemm_input *input, long row, float x) {
    x = input->shift ? fmaf(x, input->scale[row], input->shift[row]) : x * input->scale[row];
    return input->relu && x < 0 ? 0 : x;
}

/// Copies `kc × nc` of B (rows `ldb` apart, the first being B's row `first_row`) into column panels
/// of GEMM_NR, each stored row by row, the last panel padded with zero columns; with `input`, each
/// row transformed by it.
static void gemm_pack_b(const float *b, long ldb, const pth_gemm_input *input, long first_row, long kc, long nc,
                        float *packed) {
    for (long j = 0; j < nc; j += GEMM_NR) {
        long columns = nc - j < GEMM_NR ? nc - j : GEMM_NR;
        float *panel = packed + j * kc;
        for (long k = 0; k < kc; k++) {
            const float *source = b + k * ldb + j;
            float *target = panel + k * GEMM_NR;
            if (input && columns == GEMM_NR) {
                gemm_vec low = gemm_load(source), high = gemm_load(source + GEMM_LANES);
                gemm_transform_row(input, first_row + k, &low, &high);
                gemm_store(target, low);
                gemm_store(target + GEMM_LANES, high);
            } else if (input) {
                for (long c = 0; c < columns; c++) target[c] = gemm_input_value(input, first_row + k, source[c]);
            } else if (columns == GEMM_NR) {
                memcpy(target, source, sizeof(float) * GEMM_NR);
            } else {
                memcpy(target, source, sizeof(float) * columns);
            }
            if (columns < GEMM_NR) memset(target + columns, 0, sizeof(float) * (GEMM_NR - columns));
        }
    }
}

/// The product with one column (squeeze-excitation convs on a 1×1 map of one image): a tile would spend GEMM_NR − 1 of its columns on padding, so each panel of A is summed
/// against B directly. A panel's GEMM_MR rows sit in the lanes of one vector, each lane summing its
/// row over K as a tile sums it (in order within each GEMM_KC-deep block, each block's sum then
/// added to the blocks' before it), so a column gives the bits it gets beside others, and
/// `gemm_vector_panels` panels run side by side, whose independent chains keep the multiply-adds in
/// flight. B's values are gathered (and transformed by `input`) a block at a time; between blocks
/// the partial sums wait in C.
enum { gemm_vector_panels = 8 };

/// A panel's GEMM_MR values at `p` in the first lanes of a vector, the rest zero: the last steps of
/// A, where a whole vector would read past the packed matrix.
static inline __attribute__((always_inline)) gemm_vec gemm_load_panel_step(const float *p) {
    gemm_vec v = {0};
    memcpy(&v, p, sizeof(float) * GEMM_MR);
    return v;
}

static void gemm_packed_vector(long m, long k, const float *packed, const float *b, long ldb,
                               const pth_gemm_input *input, float *c, long ldc, const pth_gemm_epilogue *e) {
    _Static_assert(GEMM_LANES >= GEMM_MR, "a panel's rows must fit one vector");
    // The steps from here on would read past the end of a panel's last step with a whole vector.
    const long whole = k - ((GEMM_LANES + GEMM_MR - 1) / GEMM_MR - 1);
    pth_gemm_epilogue finished = *e;
    finished.activation = pth_identity;
    float gathered[GEMM_KC];
    for (long start = 0; start < k; start += GEMM_KC) {
        const long kc = k - start < GEMM_KC ? k - start : GEMM_KC;
        const float *x = b + start;
        if (input || ldb != 1) {
            for (long i = 0; i < kc; i++) {
                const float value = b[(start + i) * ldb];
                gathered[i] = input ? gemm_input_value(input, start + i, value) : value;
            }
            x = gathered;
        }
        const long vectors = whole - start < kc ? (whole - start > 0 ? whole - start : 0) : kc;
        for (long first = 0; first < m; first += gemm_vector_panels * GEMM_MR) {
            const long panels = (m - first + GEMM_MR - 1) / GEMM_MR < gemm_vector_panels
                                    ? (m - first + GEMM_MR - 1) / GEMM_MR
                                    : gemm_vector_panels;
            gemm_vec sums[gemm_vector_panels];
            const float *a[gemm_vector_panels];
            for (long j = 0; j < gemm_vector_panels; j++) {
                const long row = first + (j < panels ? j : 0) * GEMM_MR;
                a[j] = packed + row * k + start * GEMM_MR;
                sums[j] = (gemm_vec){0};
            }
            if (panels == gemm_vector_panels) {
                long kk = 0;
                for (; kk < vectors; kk++) {
                    const float value = x[kk];
#pragma clang loop unroll(full)
                    for (int j = 0; j < gemm_vector_panels; j++)
                        sums[j] = gemm_multiply_add(value, gemm_load(a[j] + kk * GEMM_MR), sums[j]);
                }
                for (; kk < kc; kk++) {
#pragma clang loop unroll(full)
                    for (int j = 0; j < gemm_vector_panels; j++)
                        sums[j] = gemm_multiply_add(x[kk], gemm_load_panel_step(a[j] + kk * GEMM_MR), sums[j]);
                }
            } else {
                for (long j = 0; j < panels; j++) {
                    long kk = 0;
                    for (; kk < vectors; kk++) sums[j] = gemm_multiply_add(x[kk], gemm_load(a[j] + kk * GEMM_MR), sums[j]);
                    for (; kk < kc; kk++) sums[j] = gemm_multiply_add(x[kk], gemm_load_panel_step(a[j] + kk * GEMM_MR), sums[j]);
                }
            }
            const int last = start + kc == k;
            for (long j = 0; j < panels; j++) {
                const long row = first + j * GEMM_MR, rows = m - row < GEMM_MR ? m - row : GEMM_MR;
                float values[GEMM_LANES];
                gemm_store(values, sums[j]);
                if (start > 0) {
                    for (long r = 0; r < rows; r++) values[r] += c[(row + r) * ldc];
                }
                if (last) gemm_finish(values, 1, rows, 1, row, 0, &finished);
                for (long r = 0; r < rows; r++) c[(row + r) * ldc] = values[r];
            }
        }
    }
    // The activation in one pass over C (a sigmoid gate's thousand values in runs of GEMM_MR would
    // take longer than the products).
    if (e->activation == pth_identity) return;
    if (ldc == 1) {
        in_place(e->activation, c, m, 1, 0);
    } else {
        for (long row = 0; row < m; row++) in_place(e->activation, c + row * ldc, 1, 1, 0);
    }
}

/// Copies `kc × nc` of B given as its transpose (`bt` holds B's columns as rows, `ldbt` apart) into
/// the column panels `gemm_pack_b` makes. Each panel row is written whole from one element of each
/// column's run of K: loads from GEMM_NR sequential streams are cheaper than stores GEMM_NR apart.
static void gemm_pack_b_transposed(const float *bt, long ldbt, long kc, long nc, float *packed) {
    for (long j = 0; j < nc; j += GEMM_NR) {
        long columns = nc - j < GEMM_NR ? nc - j : GEMM_NR;
        float *panel = packed + j * kc;
        const float *source = bt + j * ldbt;
        if (columns == GEMM_NR) {
            long k = 0;
            // GEMM_LANES steps of K at a time: each half of the panel is a square transpose in
            // registers (`transpose_lanes`) of GEMM_LANES columns' runs, instead of GEMM_NR single
            // loads per row.
            for (; k + GEMM_LANES <= kc; k += GEMM_LANES) {
#pragma clang loop unroll(full)
                for (int half = 0; half < 2; half++) {
                    gemm_vec runs[GEMM_LANES];
#pragma clang loop unroll(full)
                    for (int column = 0; column < GEMM_LANES; column++)
                        runs[column] = gemm_load(source + (half * GEMM_LANES + column) * ldbt + k);
                    transpose_lanes(runs);
#pragma clang loop unroll(full)
                    for (int i = 0; i < GEMM_LANES; i++) gemm_store(panel + (k + i) * GEMM_NR + half * GEMM_LANES, runs[i]);
                }
            }
            for (; k < kc; k++) {
                float row[GEMM_NR];
#pragma clang loop unroll(full)
                for (int column = 0; column < GEMM_NR; column++) row[column] = source[column * ldbt + k];
                memcpy(panel + k * GEMM_NR, row, sizeof row);
            }
        } else {
            for (long k = 0; k < kc; k++) {
                for (long column = 0; column < GEMM_NR; column++) {
                    panel[k * GEMM_NR + column] = column < columns ? source[column * ldbt + k] : 0;
                }
            }
        }
    }
}


/// One GEMM_MR × GEMM_NR tile of the transposed product (see `gemm_packed_transposed_kernel`), of
/// which the first `rows` (a compile-time constant here) are summed: each of its `columns` columns
/// is stored as one run of `rows` at `ct`, rows `ldct` apart.
static inline __attribute__((always_inline)) void gemm_tile_transposed_rows(long kc, const float *restrict a,
                                                                            const float *restrict b, float *ct,
                                                                            long ldct, const long rows, long columns,
                                                                            int first) {
    gemm_vec low[GEMM_MR], high[GEMM_MR];
    gemm_accumulate(kc, a, b, rows, columns, 0, low, high, 0);
    _Static_assert(GEMM_MR <= GEMM_LANES, "a tile's rows must fit the lanes of one vector");
    if (columns == GEMM_NR) {
        // Transposed in registers: each column's run of `rows` is one short vector store (after a
        // load and an add, in the same order as one value at a time, when C holds partial sums).
        gemm_vec columns_low[GEMM_LANES], columns_high[GEMM_LANES];
#pragma clang loop unroll(full)
        for (int r = 0; r < GEMM_LANES; r++) columns_low[r] = columns_high[r] = (gemm_vec){0};
#pragma clang loop unroll(full)
        for (int r = 0; r < rows; r++) {
            columns_low[r] = low[r];
            columns_high[r] = high[r];
        }
        transpose_lanes(columns_low);
        transpose_lanes(columns_high);
#pragma clang loop unroll(full)
        for (int j = 0; j < GEMM_NR; j++) {
            float *p = ct + j * ldct;
            gemm_vec value = j < GEMM_LANES ? columns_low[j] : columns_high[j - GEMM_LANES];
            if (!first) {
                gemm_vec sums = {0};
                memcpy(&sums, p, sizeof(float) * rows);
                value = sums + value;
            }
            memcpy(p, &value, sizeof(float) * rows);
        }
        return;
    }
    float tile[GEMM_MR][GEMM_NR];
#pragma clang loop unroll(full)
    for (int r = 0; r < GEMM_MR; r++) {
        gemm_store(tile[r], low[r]);
        gemm_store(tile[r] + GEMM_LANES, high[r]);
    }
    for (long j = 0; j < columns; j++) {
        float *p = ct + j * ldct;
        if (first) {
            for (long r = 0; r < rows; r++) p[r] = tile[r][j];
        } else {
            for (long r = 0; r < rows; r++) p[r] += tile[r][j];
        }
    }
}

/// `gemm_tile_transposed_rows` with `rows` known only at run time.
static inline __attribute__((always_inline)) void gemm_tile_transposed(long kc, const float *restrict a,
                                                                       const float *restrict b, float *ct, long ldct,
                                                                       long rows, long columns, int first) {
#define GEMM_TILE_TRANSPOSED_ROWS(r) gemm_tile_transposed_rows(kc, a, b, ct, ldct, r, columns, first)
    GEMM_WITH_ROWS(rows, GEMM_TILE_TRANSPOSED_ROWS)
#undef GEMM_TILE_TRANSPOSED_ROWS
}

/// The blocked loops around the micro-kernel (BLIS order, see the top of this file), for C = A·B
/// (`transposed` 0: B `k × n` and C `m × n`, rows `ldb` and `ldc` apart, B's rows scaled by
/// `input` when given) or, with `transposed` 1, for B and C both given as their transposes
/// (`n × k` and `n × m`). With `packed_b`, B is already in column panels over the whole of K
/// (`gemm_pack_b_transposed_kernel`'s layout) and `b` is not read.
static inline __attribute__((always_inline)) void gemm_blocked(long m, long n, long k, const float *packed,
                                                               const float *b, long ldb, const float *packed_b,
                                                               const pth_gemm_input *input, float *c, long ldc,
                                                               const pth_gemm_epilogue *e, float *scratch,
                                                               int transposed) {
    // An activation the tiles cannot apply in registers (SiLU, sigmoid, hard-swish) runs once over
    // each finished block of C (while it is still in L2), in rows of up to GEMM_NC floats, or in one
    // run when the block's rows are contiguous: a tile's 96 values are too few for the loop to keep
    // its long dependency chains in flight (it cost 1.7–2 ns per value that way, against 1 over a
    // long run). The tiles store `scale·s + bias + residual`, so every value is rounded as before.
    const pth_activation_kind deferred =
        !transposed && !gemm_activates_in_registers(e->activation) ? e->activation : pth_identity;
    pth_gemm_epilogue stored;
    if (deferred != pth_identity) {
        stored = *e;
        stored.activation = pth_identity;
        e = &stored;
    }
    for (long jc = 0; jc < n; jc += GEMM_NC) {
        long nc = n - jc < GEMM_NC ? n - jc : GEMM_NC;
        for (long pc = 0; pc < k; pc += GEMM_KC) {
            long kc = k - pc < GEMM_KC ? k - pc : GEMM_KC;
            if (packed_b) {
                // Column panel j over the whole of K starts at packed_b + j·k: this block's rows of
                // it at + pc·GEMM_NR, the same steps apart as in the scratch's panels.
            } else if (transposed) {
                gemm_pack_b_transposed(b + jc * ldb + pc, ldb, kc, nc, scratch);
            } else {
                // Whole panels are packed by the first row of tiles, as they use them
                // (`gemm_unpacked_panel`); only a last, partial panel, padded with zero columns, is
                // packed here.
                const long whole = nc - nc % GEMM_NR;
                if (whole < nc) gemm_pack_b(b + pc * ldb + jc + whole, ldb, input, pc, kc, nc - whole, scratch + whole * kc);
            }
            for (long ic = 0; ic < m; ic += GEMM_MC) {
                long mc = m - ic < GEMM_MC ? m - ic : GEMM_MC;
                if (!transposed && kc == k) {
                    // All of K in one block: each tile is finished as it is computed, so the tiles walk
                    // along C's rows (a panel of A kept in L1, the block's panels of B read from L2)
                    // and C and the residual stream through as GEMM_MR sequential rows, which the
                    // prefetcher follows; down the columns, each tile would touch GEMM_MR new lines a
                    // row apart. 2–5% less time for K ≤ 256 (resnet50's 64-deep convs with their
                    // residual, efficientnet_b0's 16-deep one), the same for longer K.
                    for (long ir = 0; ir < mc; ir += GEMM_MR) {
                        long row = ic + ir, rows = m - row < GEMM_MR ? m - row : GEMM_MR;
                        const float *a = packed + row * k;
                        for (long jr = 0; jr < nc; jr += GEMM_NR) {
                            long columns = nc - jr < GEMM_NR ? nc - jr : GEMM_NR;
                            const float *panel = packed_b ? packed_b + (jc + jr) * k : scratch + jr * kc;
                            const gemm_unpacked_panel unpacked = {b + pc * ldb + jc + jr, ldb, input, pc, scratch + jr * kc};
                            const int packs = !packed_b && ic == 0 && ir == 0 && columns == GEMM_NR;
                            gemm_tile(kc, a, panel, c + row * ldc + jc + jr, ldc, rows, columns, 1, 1, row, jc + jr, e,
                                      packs ? &unpacked : 0);
                        }
                    }
                } else {
                    for (long jr = 0; jr < nc; jr += GEMM_NR) {
                        long columns = nc - jr < GEMM_NR ? nc - jr : GEMM_NR;
                        for (long ir = 0; ir < mc; ir += GEMM_MR) {
                            long row = ic + ir, rows = m - row < GEMM_MR ? m - row : GEMM_MR;
                            const float *a = packed + row * k + pc * GEMM_MR;
                            const float *panel = packed_b ? packed_b + (jc + jr) * k + pc * GEMM_NR : scratch + jr * kc;
                            if (transposed) {
                                gemm_tile_transposed(kc, a, panel, c + (jc + jr) * ldc + row, ldc, rows, columns, pc == 0);
                            } else {
                                const gemm_unpacked_panel unpacked = {b + pc * ldb + jc + jr, ldb, input, pc,
                                                                      scratch + jr * kc};
                                const int packs = !packed_b && ic == 0 && ir == 0 && columns == GEMM_NR;
                                gemm_tile(kc, a, panel, c + row * ldc + jc + jr, ldc, rows, columns, pc == 0,
                                          pc + kc == k, row, jc + jr, e, packs ? &unpacked : 0);
                            }
                        }
                    }
                }
                if (deferred != pth_identity && pc + kc == k) {
                    if (ldc == nc) {
                        in_place(deferred, c + ic * ldc, mc * nc, 1, 0);
                    } else {
                        for (long r = ic; r < ic + mc; r++) in_place(deferred, c + r * ldc + jc, nc, 1, 0);
                    }
                }
            }
        }
    }
}

static void gemm_packed_kernel(long m, long n, long k, const float *packed, const float *b, long ldb,
                               const pth_gemm_input *input, float *c, long ldc, const pth_gemm_epilogue *e, float *scratch) {
    if (n == 1) {
        gemm_packed_vector(m, k, packed, b, ldb, input, c, ldc, e);
        return;
    }
    gemm_blocked(m, n, k, packed, b, ldb, 0, input, c, ldc, e, scratch, 0);
}

/// Packs all of the row-major `k × n` B (rows `ldb` apart, transformed by `input` when given) into
/// column panels over the whole of K, panel `j` at `packed_b + j·k`: B packed once for the cores
/// that share it (`gemm_prepacked_kernel`).
static void gemm_pack_b_kernel(const float *b, long ldb, const pth_gemm_input *input, long n, long k, float *packed_b) {
    gemm_pack_b(b, ldb, input, 0, k, n, packed_b);
}

/// `gemm_packed_kernel` with B packed ahead by `gemm_pack_b_kernel`: nothing is packed per call.
static void gemm_prepacked_kernel(long m, long n, long k, const float *packed, const float *packed_b, float *c, long ldc,
                                  const pth_gemm_epilogue *e) {
    if (n == 1) {
        // The column, already transformed, is the panel's first, its rows GEMM_NR apart.
        gemm_packed_vector(m, k, packed, packed_b, GEMM_NR, 0, c, ldc, e);
        return;
    }
    gemm_blocked(m, n, k, packed, 0, 0, packed_b, 0, c, ldc, e, 0, 0);
}

/// The plain product `A · B` with B given transposed and C written transposed (`ct` holds C's
/// columns as rows, `ldct` apart). No epilogue; partial sums of K blocks before the last are kept in C.
static void gemm_packed_transposed_kernel(long m, long n, long k, const float *packed, const float *bt, long ldbt,
                                          float *ct, long ldct, float *scratch) {
    gemm_blocked(m, n, k, packed, bt, ldbt, 0, 0, ct, ldct, 0, scratch, 1);
}

/// Packs all of B, given as its `n × k` transpose, into column panels over the whole of K, panel `j`
/// (from column `j`, a multiple of GEMM_NR) at `packed_b + j·k`: B packed once for several products.
static void gemm_pack_b_transposed_kernel(const float *bt, long ldbt, long n, long k, float *packed_b) {
    gemm_pack_b_transposed(bt, ldbt, k, n, packed_b);
}

/// `gemm_packed_transposed_kernel` with B packed ahead by `gemm_pack_b_transposed_kernel`.
static void gemm_prepacked_transposed_kernel(long m, long n, long k, const float *packed, const float *packed_b,
                                             float *ct, long ldct) {
    gemm_blocked(m, n, k, packed, 0, 0, packed_b, 0, ct, ldct, 0, 0, 1);
}
