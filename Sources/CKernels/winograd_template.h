// Winograd's filter transforms for F(4×4, 3×3), F(2×2, 5×5) and F(2×2, 3×3), compiled once per instruction set
// (after gemm_template.h, whose vector type and panel height they use): they read a conv's weights in
// the packed GEMM's layout and write the 36 transform-domain matrices in the same layout, so the
// filters of any block of output channels can be transformed when a run needs them instead of being
// stored (4× larger for 3×3). The first two use the points 0, ±1, ±2 and ∞ on 6×6 tiles, so their
// input transform is the same; F(2×2, 3×3) uses 0, ±1 and ∞ on 4×4 tiles.
#include "winograd.h"

/// A panel's GEMM_MR rows at `x` in the first lanes of a vector, the rest zero.
static inline __attribute__((always_inline)) gemm_vec winograd_load_rows(const float *x) {
    gemm_vec v = {0};
    memcpy(&v, x, sizeof(float) * GEMM_MR);
    return v;
}

/// G·(t0, t1, t2) for G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1],
/// lane by lane (the points 0, ±1, ±2 and ∞ of F(4, 3)).
static inline __attribute__((always_inline)) void winograd_filter_column(gemm_vec t0, gemm_vec t1, gemm_vec t2,
                                                                         gemm_vec *out) {
    const gemm_vec quarter = gemm_splat(1.0f / 4), minus_sixth = gemm_splat(-1.0f / 6), sixth = gemm_splat(1.0f / 6),
                   twelfth = gemm_splat(1.0f / 12), twenty_fourth = gemm_splat(1.0f / 24);
    const gemm_vec outer = t0 + t2, ends = t0 * twenty_fourth + t2 * sixth, middle = t1 * twelfth;
    out[0] = t0 * quarter;
    out[1] = (outer + t1) * minus_sixth;
    out[2] = (outer - t1) * minus_sixth;
    out[3] = ends + middle;
    out[4] = ends - middle;
    out[5] = t2;
}

/// The columns of G·(t0, t1, t2) for the 3×3 filter transforms: `winograd_filter_column` (6) or
/// `winograd_filter_column_small` (4).
typedef void (*winograd_column3)(gemm_vec t0, gemm_vec t1, gemm_vec t2, gemm_vec *out);

/// One input channel's 3×3 taps of a panel (tap `t`'s GEMM_MR rows at `taps + t·GEMM_MR`) to its
/// window² transformed values per row, stored GEMM_MR floats at `target + e·u_stride`: G·g by
/// `column` down each of g's columns, then each row of that times Gᵀ.
static inline __attribute__((always_inline)) void winograd_filter_channel(const float *taps, gemm_vec factor, float *target,
                                                                          long u_stride, int window,
                                                                          winograd_column3 column) {
    gemm_vec left[3][6];
#pragma clang loop unroll(full)
    for (int j = 0; j < 3; j++) {
        column(winograd_load_rows(taps + j * GEMM_MR) * factor, winograd_load_rows(taps + (3 + j) * GEMM_MR) * factor,
               winograd_load_rows(taps + (6 + j) * GEMM_MR) * factor, left[j]);
    }
#pragma clang loop unroll(full)
    for (int a = 0; a < window; a++) {
        gemm_vec row[6];
        column(left[0][a], left[1][a], left[2][a], row);
#pragma clang loop unroll(full)
        for (int b = 0; b < window; b++) memcpy(target + (a * window + b) * u_stride, &row[b], sizeof(float) * GEMM_MR);
    }
}

/// G·(t0, …, t4) for F(2, 5)'s G (6 × 5): rows ¼·(1, 0, 0, 0, 0), −⅙·(1, 1, 1, 1, 1),
/// −⅙·(1, −1, 1, −1, 1), (1/24)·(1, 2, 4, 8, 16), (1/24)·(1, −2, 4, −8, 16) and (0, 0, 0, 0, 1).
static inline __attribute__((always_inline)) void winograd_filter_column5(gemm_vec t0, gemm_vec t1, gemm_vec t2,
                                                                          gemm_vec t3, gemm_vec t4, gemm_vec out[6]) {
    const gemm_vec quarter = gemm_splat(1.0f / 4), minus_sixth = gemm_splat(-1.0f / 6),
                   twenty_fourth = gemm_splat(1.0f / 24), two = gemm_splat(2), four = gemm_splat(4),
                   eight = gemm_splat(8), sixteen = gemm_splat(16);
    const gemm_vec even = t0 + t2 + t4, odd = t1 + t3;
    const gemm_vec even2 = t0 + four * t2 + sixteen * t4, odd2 = two * t1 + eight * t3;
    out[0] = t0 * quarter;
    out[1] = (even + odd) * minus_sixth;
    out[2] = (even - odd) * minus_sixth;
    out[3] = (even2 + odd2) * twenty_fourth;
    out[4] = (even2 - odd2) * twenty_fourth;
    out[5] = t4;
}

/// `winograd_filter_channel` for a 5×5 filter (tap `t`'s rows at `taps + t·GEMM_MR`, t = 5·i + j).
static inline __attribute__((always_inline)) void winograd_filter_channel5(const float *taps, gemm_vec factor,
                                                                           float *target, long u_stride) {
    gemm_vec left[5][6];
#pragma clang loop unroll(full)
    for (int j = 0; j < 5; j++) {
        winograd_filter_column5(winograd_load_rows(taps + j * GEMM_MR) * factor,
                                winograd_load_rows(taps + (5 + j) * GEMM_MR) * factor,
                                winograd_load_rows(taps + (10 + j) * GEMM_MR) * factor,
                                winograd_load_rows(taps + (15 + j) * GEMM_MR) * factor,
                                winograd_load_rows(taps + (20 + j) * GEMM_MR) * factor, left[j]);
    }
#pragma clang loop unroll(full)
    for (int a = 0; a < 6; a++) {
        gemm_vec row[6];
        winograd_filter_column5(left[0][a], left[1][a], left[2][a], left[3][a], left[4][a], row);
#pragma clang loop unroll(full)
        for (int b = 0; b < 6; b++) memcpy(target + (a * 6 + b) * u_stride, &row[b], sizeof(float) * GEMM_MR);
    }
}

/// G·(t0, t1, t2) for F(2, 3)'s G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1] (the points 0, ±1 and ∞).
static inline __attribute__((always_inline)) void winograd_filter_column_small(gemm_vec t0, gemm_vec t1, gemm_vec t2,
                                                                               gemm_vec *out) {
    const gemm_vec half = gemm_splat(0.5f), outer = t0 + t2;
    out[0] = t0;
    out[1] = (outer + t1) * half;
    out[2] = (outer - t1) * half;
    out[3] = t2;
}

/// `U[e] = (G·(factor·g)·Gᵀ)[e]` for the `rows` output channels of whole panels at `packed` (the
/// `kernel × kernel` weights, 3 or 5, packed with `k = kernel²·in`, column `kernel²·c + kernel·i + j`),
/// each U[e] packed as a `rows × in` matrix at `u + e·u_stride`. Lanes are the panel's rows; rows from
/// `rows` on get the factor 0.
static void winograd_filters_kernel(const float *packed, long in, long kernel, long window, long rows, const float *scale,
                                    float *u, long u_stride) {
    const long taps = kernel * kernel;
    for (long first = 0; first < rows; first += GEMM_MR) {
        float factors[GEMM_LANES] = {0};
        for (long r = 0; r < GEMM_MR && first + r < rows; r++) factors[r] = scale ? scale[first + r] : 1;
        const gemm_vec factor = gemm_load(factors);
        const float *panel = packed + first * taps * in;
        float *target = u + first * in;
        if (kernel == 5) {
            for (long c = 0; c < in; c++) winograd_filter_channel5(panel + c * 25 * GEMM_MR, factor, target + c * GEMM_MR, u_stride);
        } else if (window == 4) {
            for (long c = 0; c < in; c++)
                winograd_filter_channel(panel + c * 9 * GEMM_MR, factor, target + c * GEMM_MR, u_stride, 4,
                                        winograd_filter_column_small);
        } else {
            for (long c = 0; c < in; c++)
                winograd_filter_channel(panel + c * 9 * GEMM_MR, factor, target + c * GEMM_MR, u_stride, 6,
                                        winograd_filter_column);
        }
    }
}
