#ifndef PTH_KERNEL_TABLE_H
#define PTH_KERNEL_TABLE_H

// The dispatch table: one entry per kernel that has a copy per instruction set. Each
// kernels_<isa>.c compiles the kernel templates (*_template.h) for its instruction set and
// fills one table; the public entry points call through the table of `pth_isa_active()`.
#include "depthwise.h"
#include "gemm.h"
#include "winograd.h"

typedef struct {
    void (*activation)(pth_activation_kind kind, const float *input, float *output, long count, float scale, float bias);
    void (*activation_residual)(pth_activation_kind kind, const float *input, const float *residual, float *output,
                                long count, float scale, float bias);
    void (*depthwise)(const float *input, long height, long width, const float *weights, const float *scale,
                      const float *bias, pth_activation_kind activation, const pth_depthwise_geometry *geometry,
                      long first_channel, long end_channel, long out_height, long out_width, float *output,
                      float *scratch);
    void (*gemm_packed)(long m, long n, long k, const float *packed, const float *b, long ldb,
                        const pth_gemm_input *input, float *c, long ldc, const pth_gemm_epilogue *epilogue,
                        float *scratch);
    void (*gemm_pack_b)(const float *b, long ldb, const pth_gemm_input *input, long n, long k, float *packed_b);
    void (*gemm_prepacked)(long m, long n, long k, const float *packed, const float *packed_b, float *c, long ldc,
                           const pth_gemm_epilogue *epilogue);
    void (*gemm_packed_transposed)(long m, long n, long k, const float *packed, const float *bt, long ldbt, float *ct,
                                   long ldct, float *scratch);
    void (*gemm_pack_b_transposed)(const float *bt, long ldbt, long n, long k, float *packed_b);
    void (*gemm_prepacked_transposed)(long m, long n, long k, const float *packed, const float *packed_b, float *ct,
                                      long ldct);
    void (*winograd_filters)(const float *packed, long in, long kernel, long window, long rows, const float *scale,
                             float *u, long u_stride);
    /// Rows of A per packed panel and columns of C per micro-kernel call.
    long gemm_rows, gemm_columns;
} pth_kernel_table;

extern const pth_kernel_table pth_kernels_baseline;
#if defined(__x86_64__)
extern const pth_kernel_table pth_kernels_avx2;
extern const pth_kernel_table pth_kernels_avx512;
#endif

/// The table for `isa`, which must be supported (`pth_isa_supported`).
const pth_kernel_table *pth_kernels_for(pth_isa isa);

/// The table of `pth_isa_active()`.
const pth_kernel_table *pth_kernels(void);

/// Cache blocking of the packed GEMM, the same for every instruction set: B is packed `GEMM_KC`
/// rows × `GEMM_NC` columns at a time (512 KB, which the scratch holds), and A walked `GEMM_MC`
/// rows at a time (at most 120 KB of packed A, reused from L2 across the block's columns).
#define GEMM_KC 256
#define GEMM_NC 512
#define GEMM_MC 120

#endif
