// Square transposes in registers, compiled once per instruction set (kernels_template.h includes
// this file before the kernels that use it): GEMM_LANES rows of one vector each, the instruction set's
// width. The depthwise kernel turns NCHW planes into pixel vectors with them, the GEMM the columns of
// Winograd's transposed products.

typedef float lanes_vec __attribute__((vector_size(GEMM_LANES * sizeof(float))));

/// Transposes the square matrix whose rows are `r[0 ..< GEMM_LANES]` in place. 8 and 4 lanes take
/// the in-lane interleave, pair and half-swap steps the instruction sets have single instructions
/// for; 16 lanes take four rounds of interleaving the first eight rows with the last eight (a perfect
/// shuffle), which transpose any 16 × 16 matrix.
static inline __attribute__((always_inline)) void transpose_lanes(lanes_vec r[GEMM_LANES]) {
#if GEMM_LANES == 16
    for (int round = 0; round < 4; round++) {
        lanes_vec t[16];
        for (int i = 0; i < 8; i++) {
            t[2 * i] = __builtin_shufflevector(r[i], r[i + 8], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            t[2 * i + 1] = __builtin_shufflevector(r[i], r[i + 8], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        }
        for (int i = 0; i < 16; i++) r[i] = t[i];
    }
#elif GEMM_LANES == 8
    lanes_vec t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[2 * i + 1] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int i = 0; i < 2; i++) {
        u[4 * i] = __builtin_shufflevector(t[4 * i], t[4 * i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[4 * i + 1] = __builtin_shufflevector(t[4 * i], t[4 * i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[4 * i + 2] = __builtin_shufflevector(t[4 * i + 1], t[4 * i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[4 * i + 3] = __builtin_shufflevector(t[4 * i + 1], t[4 * i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        r[i + 4] = __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
#elif GEMM_LANES == 4
    const lanes_vec t0 = __builtin_shufflevector(r[0], r[1], 0, 4, 1, 5), t1 = __builtin_shufflevector(r[0], r[1], 2, 6, 3, 7);
    const lanes_vec t2 = __builtin_shufflevector(r[2], r[3], 0, 4, 1, 5), t3 = __builtin_shufflevector(r[2], r[3], 2, 6, 3, 7);
    r[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    r[1] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    r[2] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    r[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
#else
#error "GEMM_LANES must be 4, 8 or 16"
#endif
}
