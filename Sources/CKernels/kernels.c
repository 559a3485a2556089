// The dispatch table's selection and the public entry points, which call the active instruction
// set's copy of each kernel. Packing is plain data movement, the same code for every instruction set.
#include "kernel_table.h"
#include "depthwise_geometry.h"

#include <string.h>

const pth_kernel_table *pth_kernels_for(pth_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case pth_isa_avx512: return &pth_kernels_avx512;
    case pth_isa_avx2: return &pth_kernels_avx2;
#else
    case pth_isa_avx512:
    case pth_isa_avx2:
#endif
    case pth_isa_baseline: return &pth_kernels_baseline;
    }
    return &pth_kernels_baseline;
}

const pth_kernel_table *pth_kernels(void) {
    return pth_kernels_for(pth_isa_active());
}

void pth_activation(pth_activation_kind kind, const float *input, float *output, long count, float scale, float bias) {
    pth_kernels()->activation(kind, input, output, count, scale, bias);
}

void pth_activation_residual(pth_activation_kind kind, const float *input, const float *residual, float *output, long count,
                             float scale, float bias) {
    pth_kernels()->activation_residual(kind, input, residual, output, count, scale, bias);
}

long pth_depthwise_scratch_count(const pth_depthwise_geometry *geometry, long height, long width) {
    return depthwise_scratch_count(geometry, height, width);
}

void pth_depthwise(pth_isa isa, const float *input, long height, long width, const float *weights, const float *scale,
                   const float *bias, pth_activation_kind activation, const pth_depthwise_geometry *geometry,
                   long first_channel, long end_channel, long out_height, long out_width, float *output,
                   float *scratch) {
    pth_kernels_for(isa)->depthwise(input, height, width, weights, scale, bias, activation, geometry, first_channel,
                                    end_channel, out_height, out_width, output, scratch);
}

long pth_gemm_panel_rows(pth_isa isa) { return pth_kernels_for(isa)->gemm_rows; }

long pth_gemm_panel_columns(pth_isa isa) { return pth_kernels_for(isa)->gemm_columns; }

long pth_gemm_packed_count(pth_isa isa, long m, long k) {
    long rows = pth_gemm_panel_rows(isa);
    return (m + rows - 1) / rows * rows * k;
}

/// Element (`row`, `column`) of a `k`-deep matrix packed in panels of `rows` rows, each column by column.
static inline long packed_index(long rows, long row, long column, long k) {
    return row / rows * rows * k + column * rows + row % rows;
}

long pth_gemm_packed_index(pth_isa isa, long row, long column, long k) {
    return packed_index(pth_gemm_panel_rows(isa), row, column, k);
}

void pth_gemm_pack(pth_isa isa, const float *a, long lda, long m, long k, float *packed) {
    const long rows = pth_gemm_panel_rows(isa), padded = (m + rows - 1) / rows * rows;
    for (long i = 0; i < padded; i++) {
        for (long kk = 0; kk < k; kk++) packed[packed_index(rows, i, kk, k)] = i < m ? a[i * lda + kk] : 0;
    }
}

void pth_gemm_unpack(pth_isa isa, const float *packed, long m, long k, float *a) {
    const long rows = pth_gemm_panel_rows(isa);
    for (long i = 0; i < m; i++) {
        for (long kk = 0; kk < k; kk++) a[i * k + kk] = packed[packed_index(rows, i, kk, k)];
    }
}

long pth_gemm_scratch_count(pth_isa isa) {
    (void)isa;
    return GEMM_KC * GEMM_NC;
}

long pth_gemm_scratch_count_for(pth_isa isa, long n, long k) {
    const long columns = pth_gemm_panel_columns(isa), panels = (n + columns - 1) / columns * columns;
    return (k < GEMM_KC ? k : GEMM_KC) * (panels < GEMM_NC ? panels : GEMM_NC);
}

void pth_gemm_packed(pth_isa isa, long m, long n, long k, const float *packed, const float *b, long ldb,
                     const pth_gemm_input *input, float *c, long ldc, const pth_gemm_epilogue *epilogue, float *scratch) {
    pth_kernels_for(isa)->gemm_packed(m, n, k, packed, b, ldb, input, c, ldc, epilogue, scratch);
}

void pth_gemm_pack_b(pth_isa isa, const float *b, long ldb, const pth_gemm_input *input, long n, long k, float *packed_b) {
    pth_kernels_for(isa)->gemm_pack_b(b, ldb, input, n, k, packed_b);
}

void pth_gemm_prepacked(pth_isa isa, long m, long n, long k, const float *packed, const float *packed_b, float *c,
                        long ldc, const pth_gemm_epilogue *epilogue) {
    pth_kernels_for(isa)->gemm_prepacked(m, n, k, packed, packed_b, c, ldc, epilogue);
}

void pth_gemm_packed_transposed(pth_isa isa, long m, long n, long k, const float *packed, const float *bt, long ldbt,
                                float *ct, long ldct, float *scratch) {
    pth_kernels_for(isa)->gemm_packed_transposed(m, n, k, packed, bt, ldbt, ct, ldct, scratch);
}

long pth_gemm_packed_b_count(pth_isa isa, long n, long k) {
    const long columns = pth_gemm_panel_columns(isa);
    return (n + columns - 1) / columns * columns * k;
}

void pth_gemm_pack_b_transposed(pth_isa isa, const float *bt, long ldbt, long n, long k, float *packed_b) {
    pth_kernels_for(isa)->gemm_pack_b_transposed(bt, ldbt, n, k, packed_b);
}

void pth_gemm_prepacked_transposed(pth_isa isa, long m, long n, long k, const float *packed, const float *packed_b,
                                   float *ct, long ldct) {
    pth_kernels_for(isa)->gemm_prepacked_transposed(m, n, k, packed, packed_b, ct, ldct);
}

void pth_winograd_filters(pth_isa isa, const float *packed, long in, long kernel, long window, long rows,
                          const float *scale, float *u, long u_stride) {
    pth_kernels_for(isa)->winograd_filters(packed, in, kernel, window, rows, scale, u, u_stride);
}
