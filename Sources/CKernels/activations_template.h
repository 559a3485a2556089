// The activation loops, compiled once per instruction set: each kernels_<isa>.c includes this file
// under its own target attributes. The loops are plain C the compiler vectorises for that target;
// SiLU and sigmoid are compute-bound, so 16 lanes instead of 8 halve them where AVX-512 exists.
#include "activations.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline __attribute__((always_inline)) float clamp(float x, float low, float high) {
    float above = x < low ? low : x;
    return above > high ? high : above;
}

/// e^x: Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, then e^r by a degree-5 polynomial whose
/// coefficients past r minimise the largest relative error on that interval (1.1e-7, as small as a
/// degree-6 Taylor polynomial's with one multiply-add less), 2^n built in the exponent bits: ≈ 2 ulp
/// in all. Inputs are clamped to where the result is a normal float, all that sigmoid and SiLU need.
static inline __attribute__((always_inline)) float exp_approx(float x) {
    x = clamp(x, -87.3f, 88.7f);
    // Adding 1.5·2^23 rounds x·log2(e) to an integer held in the low mantissa bits.
    const float magic = 12582912.0f;
    float shifted = fmaf(x, 1.44269504f, magic);
    float n = shifted - magic;
    float r = fmaf(-n, 0.693145752f, x);
    r = fmaf(-n, 1.42860682e-6f, r);
    float p = 0.00831624f;
    p = fmaf(p, r, 0.0418959f);
    p = fmaf(p, r, 0.16667092f);
    p = fmaf(p, r, 0.49999185f);
    p = fmaf(p, r, 1.0f);
    p = fmaf(p, r, 1.0f);
    int32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits = (bits - 0x4B400000 + 127) << 23;
    float power;
    memcpy(&power, &bits, sizeof power);
    return p * power;
}

// One loop per function, so the hot loop carries no dispatch. `SOURCE` and `TARGET` name the
// pointers the loop reads and writes: one pointer for in place, two `restrict` ones otherwise (with
// two pointers that might overlap the compiler would guard its vector loop with an overlap test and
// take the scalar loop for every in-place call). Four vectors per iteration: SiLU's and sigmoid's
// chains of some twenty dependent operations otherwise leave the FMA units waiting (a quarter less
// time per float over a plane; the compiler adds a one-vector loop for what remains).
#define PTH_LOOP(SOURCE, TARGET, expression) \
    _Pragma("clang loop interleave_count(4)") \
    for (long i = 0; i < count; i++) { float x = fmaf(SOURCE[i], scale, bias); TARGET[i] = (expression); }

// SiLU and sigmoid without a scale or bias (the GEMM's tiles and the depthwise planes, finished
// before) skip the multiply-add, a thirteenth of their work: x·1 + 0 changes nothing but −0's sign,
// which PyTorch's SiLU keeps.
#define PTH_EXP_LOOP(SOURCE, TARGET, expression) \
    if (scale == 1 && bias == 0) { \
        _Pragma("clang loop interleave_count(4)") \
        for (long i = 0; i < count; i++) { float x = SOURCE[i]; TARGET[i] = (expression); } \
    } else { \
        PTH_LOOP(SOURCE, TARGET, expression) \
    }

#define PTH_ACTIVATIONS(SOURCE, TARGET) \
    switch (kind) { \
    case pth_identity: PTH_LOOP(SOURCE, TARGET, x) break; \
    case pth_relu: PTH_LOOP(SOURCE, TARGET, x < 0 ? 0 : x) break; \
    case pth_relu6: PTH_LOOP(SOURCE, TARGET, clamp(x, 0, 6)) break; \
    case pth_silu: PTH_EXP_LOOP(SOURCE, TARGET, x / (1 + exp_approx(-x))) break; \
    case pth_sigmoid: PTH_EXP_LOOP(SOURCE, TARGET, 1 / (1 + exp_approx(-x))) break; \
    case pth_hardswish: PTH_LOOP(SOURCE, TARGET, x * clamp(x + 3, 0, 6) / 6) break; \
    case pth_hardsigmoid: PTH_LOOP(SOURCE, TARGET, clamp(x + 3, 0, 6) / 6) break; \
    }

static inline __attribute__((always_inline)) void in_place(pth_activation_kind kind, float *values, long count,
                                                           float scale, float bias) {
    PTH_ACTIVATIONS(values, values)
}

static inline __attribute__((always_inline)) void out_of_place(pth_activation_kind kind, const float *restrict input,
                                                               float *restrict output, long count, float scale, float bias) {
    PTH_ACTIVATIONS(input, output)
}

static void activation_kernel(pth_activation_kind kind, const float *input, float *output, long count, float scale, float bias) {
    if (kind == pth_identity && scale == 1 && bias == 0) {
        // Nothing to compute: x·1 + 0 rounds to x.
        if (input != output) memcpy(output, input, sizeof(float) * count);
    } else if (input == output) {
        in_place(kind, output, count, scale, bias);
    } else {
        out_of_place(kind, input, output, count, scale, bias);
    }
}

/// `output = f(scale·input + bias + residual)`, rounded as the GEMM epilogue and a separate add
/// round it: the fused multiply-add, then the residual, then the activation loop (for identity,
/// nothing more). In chunks that stay in L1 between the two passes; `input` may be `output`.
static void activation_residual_kernel(pth_activation_kind kind, const float *input, const float *residual, float *output,
                                       long count, float scale, float bias) {
    for (long start = 0; start < count; start += 1024) {
        const long n = count - start < 1024 ? count - start : 1024;
        const float *x = input + start, *r = residual + start;
        float *y = output + start;
        for (long i = 0; i < n; i++) y[i] = fmaf(x[i], scale, bias) + r[i];
        if (kind != pth_identity) in_place(kind, y, n, 1, 0);
    }
}
