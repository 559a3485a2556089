// One instruction set's copy of every kernel and its dispatch table, `KERNEL_TABLE`. The including
// file sets the target (a `#pragma clang attribute` over every function, or nothing for the
// baseline) and the GEMM micro-kernel's shape (see gemm_template.h).
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "kernel_table.h"

#include "activations_template.h"
#include "transpose_template.h"
#include "depthwise_template.h"
#include "gemm_template.h"
#include "winograd_template.h"

const pth_kernel_table KERNEL_TABLE = {activation_kernel,
                                       activation_residual_kernel,
                                       depthwise_kernel,
                                       gemm_packed_kernel,
                                       gemm_pack_b_kernel,
                                       gemm_prepacked_kernel,
                                       gemm_packed_transposed_kernel,
                                       gemm_pack_b_transposed_kernel,
                                       gemm_prepacked_transposed_kernel,
                                       winograd_filters_kernel,
                                       GEMM_MR,
                                       GEMM_NR};
