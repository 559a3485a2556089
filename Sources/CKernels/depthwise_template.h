// Depthwise convolution, compiled once per instruction set (each kernels_<isa>.c includes this file
// under its own target attributes, after activations_template.h). The vectors are 16 floats
// (GCC/Clang vector extensions): one zmm register with AVX-512, two ymm with AVX2, four xmm on the
// x86-64 baseline.
//
// Two layouts of the same arithmetic. Rows of at least 16 output pixels are vectorised along the
// row: tiles of 4 rows × 16 pixels (× 32 with AVX-512) read a zero-padded copy of the channel (for
// stride 2, its rows split into even and odd columns where that pays), a row's last vector partly
// past its end. Narrower rows (7×7 and 14×14 maps, where a row would leave lanes empty) are
// vectorised across channels, as many at a time as the instruction set's vector holds (8 with
// AVX2, 16 with AVX-512, 4 on the baseline): the channels are interleaved into a zero-padded
// [h][w][lanes] copy and each vector holds one pixel of those channels, 8 pixels in flight (both
// ways between NCHW planes and pixel vectors by transposes in registers). Either way each output is
// the bias plus the taps, in row-major tap order, as one fused multiply-add each (with the tap
// pre-multiplied by the channel's scale), so a value is the same whichever path, tile or channel
// block computed it.
#include "depthwise.h"
#include "depthwise_geometry.h"

#include <string.h>

// Below AVX-512 a 16-float vector argument has no register of its own and the compiler warns that
// its calling convention differs; these vectors pass only between always-inlined helpers, so no
// call ever uses it.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float vec16 __attribute__((vector_size(LANES * sizeof(float))));
typedef float half16 __attribute__((vector_size(LANES / 2 * sizeof(float))));

static inline __attribute__((always_inline)) vec16 load(const float *p) { vec16 v; memcpy(&v, p, sizeof v); return v; }
static inline __attribute__((always_inline)) void store(float *p, vec16 v) { memcpy(p, &v, sizeof v); }
static inline __attribute__((always_inline)) vec16 splat(float x) { vec16 v = {0}; return v + x; }
static inline __attribute__((always_inline)) vec16 fma16(vec16 a, vec16 b, vec16 c) { return __builtin_elementwise_fma(a, b, c); }
/// 16 floats at stride 2 from `p` (reads 32).
static inline __attribute__((always_inline)) vec16 load_even(const float *p) {
    vec16 a = load(p), b = load(p + LANES);
    return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
/// Pixels of one channel-block step.
#define BLOCK_PIXELS 8

typedef int mask16 __attribute__((vector_size(LANES * sizeof(int))));

/// Stores row `row`'s vector at `column`, dropping it past the last row and lanes past the row's end.
/// A row's last, partial vector is merged into what its 16 floats hold (the next row's first
/// floats, already final or still to be written by this thread, which owns the whole plane) and
/// stored whole; only in the plane's last row, whose next floats another thread may own, is it stored
/// lane by lane.
static inline __attribute__((always_inline)) void store_row(float *out, long out_height, long out_width, long row, long column, vec16 v) {
    if (row >= out_height) return;
    float *destination = out + row * out_width + column;
    long lanes = out_width - column;
    if (lanes >= LANES) {
        store(destination, v);
    } else if (row + 1 < out_height) {
        mask16 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        mask16 inside = lane < (int)lanes;
        store(destination, (vec16)(((mask16)v & inside) | ((mask16)load(destination) & ~inside)));
    } else {
        for (long lane = 0; lane < lanes; lane++) destination[lane] = v[lane];
    }
}

/// Whether a stride-2 channel's padded rows are stored deinterleaved, even columns then odd ones
/// (`deinterleave_row`), so that the 16 inputs of a tap's 16 outputs, 2 columns apart in the image,
/// are one contiguous load instead of two loads and a shuffle. The copy costs a shuffle per 16 inputs
/// once, so it pays when a row feeds enough taps: measured faster for 3×3 on rows of 56 and 112 and
/// 5×5 on rows of 28 and 56 (14–36%), slower for 3×3 on rows of 28 (12–20%).
static inline int deinterleaves(const pth_depthwise_geometry *g, long width) {
    return g->stride_width == 2 && g->kernel_width * width >= 128;
}

/// Where column `column` of a deinterleaved padded row lies.
static inline __attribute__((always_inline)) long deinterleaved_column(long column, long paddedw) {
    return (column & 1) * ((paddedw + 1) / 2) + (column >> 1);
}

/// Copies an input row into a deinterleaved padded row (`deinterleaves`): the pixel at column `w`
/// goes to padded column `pad_left + w`.
static inline __attribute__((always_inline)) void deinterleave_row(const float *source, long width, long pad_left,
                                                                  long paddedw, float *row) {
    const long half = (paddedw + 1) / 2;
    // Source columns w, w + 2, … land in one half and w + 1, w + 3, … in the other, 16 at a time.
    float *first = row + (pad_left & 1) * half + (pad_left >> 1), *second = row + !(pad_left & 1) * half + ((pad_left + 1) >> 1);
    long w = 0;
    for (; w + 2 * LANES <= width; w += 2 * LANES) {
        const vec16 a = load(source + w), b = load(source + w + LANES);
        store(first + w / 2, __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30));
        store(second + w / 2, __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
    }
    for (; w + LANES <= width; w += LANES) {
        const vec16 a = load(source + w);
        const half16 even = __builtin_shufflevector(a, a, 0, 2, 4, 6, 8, 10, 12, 14);
        const half16 odd = __builtin_shufflevector(a, a, 1, 3, 5, 7, 9, 11, 13, 15);
        memcpy(first + w / 2, &even, sizeof even);
        memcpy(second + w / 2, &odd, sizeof odd);
    }
    for (; w + 1 < width; w += 2) {
        first[w / 2] = source[w];
        second[w / 2] = source[w + 1];
    }
    if (w < width) first[w / 2] = source[w];
}

/// One channel by row tiles: `source` is its zero-padded plane (its rows deinterleaved when
/// `split`, see `deinterleaves`), `filter` its scaled taps; the window is `kh × kw` taps `dh` rows
/// and `dw` columns apart, `sw` (1 or 2) columns between outputs.
static inline __attribute__((always_inline)) void tiles_by_rows(const float *source, long paddedw, const float *filter, float bias,
                                   const pth_depthwise_geometry *g, float *out, long out_height, long out_width,
                                   const long kh, const long kw, const long sw, const long dh, const long dw,
                                   const int split) {
    const long line_stride = dh * paddedw;
    const long row_stride = g->stride_height * paddedw, second = split ? LANES : LANES * sw;
    const vec16 b = splat(bias);
    for (long oh = 0; oh < out_height; oh += TILE_ROWS) {
        const float *top = source + oh * row_stride;
        for (long ow = 0; ow < out_width;) {
            vec16 a0 = b, a1 = b, a2 = b, a3 = b, b0 = b, b1 = b, b2 = b, b3 = b;
            // A second 16-pixel column of the tile where the registers hold 8 accumulators
            // (`DEPTHWISE_WIDE`: AVX-512's 32 zmm); AVX2's 16 ymm would spill them on every tap.
            const int wide = DEPTHWISE_WIDE && ow + LANES < out_width;
            for (long i = 0; i < kh; i++) {
                const float *line = top + i * line_stride + (split ? ow : ow * sw);
                for (long j = 0; j < kw; j++) {
                    const vec16 f = splat(filter[i * kw + j]);
                    const float *p = line + (split ? deinterleaved_column(j * dw, paddedw) : j * dw);
#define TAP(acc, offset) acc = fma16(f, sw == 1 || split ? load(p + (offset)) : load_even(p + (offset)), acc)
                    TAP(a0, 0); TAP(a1, row_stride); TAP(a2, 2 * row_stride); TAP(a3, 3 * row_stride);
                    if (wide) {
                        TAP(b0, second); TAP(b1, row_stride + second);
                        TAP(b2, 2 * row_stride + second); TAP(b3, 3 * row_stride + second);
                    }
#undef TAP
                }
            }
            store_row(out, out_height, out_width, oh, ow, a0);
            store_row(out, out_height, out_width, oh + 1, ow, a1);
            store_row(out, out_height, out_width, oh + 2, ow, a2);
            store_row(out, out_height, out_width, oh + 3, ow, a3);
            if (wide) {
                store_row(out, out_height, out_width, oh, ow + LANES, b0);
                store_row(out, out_height, out_width, oh + 1, ow + LANES, b1);
                store_row(out, out_height, out_width, oh + 2, ow + LANES, b2);
                store_row(out, out_height, out_width, oh + 3, ow + LANES, b3);
            }
            ow += wide ? 2 * LANES : LANES;
        }
    }
}

/// `tiles_by_rows` for the window in `g`: efficientnet's and mobilenet's windows (3×3 and 5×5,
/// stride 1 or 2, undilated) with their sizes known to the compiler, which unrolls the taps and
/// picks the stride's load once; any other window with its sizes read at run time.
static void channel_by_rows(const float *source, long paddedw, const float *filter, float bias,
                            const pth_depthwise_geometry *g, float *out, long out_height, long out_width, int split) {
    const long kh = g->kernel_height, kw = g->kernel_width, sw = g->stride_width;
    if (g->dilation_height == 1 && g->dilation_width == 1 && kh == kw && (kh == 3 || kh == 5) && (sw == 1 || sw == 2)) {
#define WINDOW(k, s, d) tiles_by_rows(source, paddedw, filter, bias, g, out, out_height, out_width, k, k, s, 1, 1, d)
        if (kh == 3) {
            if (sw == 1) WINDOW(3, 1, 0); else if (split) WINDOW(3, 2, 1); else WINDOW(3, 2, 0);
        } else {
            if (sw == 1) WINDOW(5, 1, 0); else if (split) WINDOW(5, 2, 1); else WINDOW(5, 2, 0);
        }
#undef WINDOW
        return;
    }
    tiles_by_rows(source, paddedw, filter, bias, g, out, out_height, out_width, kh, kw, sw, g->dilation_height,
                  g->dilation_width, split);
}

/// Channels per channel-block vector: the instruction set's own vector (8 floats with AVX2, 16 with
/// AVX-512, 4 on the baseline), so a block's accumulators and operands stay in its registers.
#define CHANNEL_LANES GEMM_LANES

typedef float cvec __attribute__((vector_size(CHANNEL_LANES * sizeof(float))));

static inline __attribute__((always_inline)) cvec cload(const float *p) { cvec v; memcpy(&v, p, sizeof v); return v; }
static inline __attribute__((always_inline)) void cstore(float *p, cvec v) { memcpy(p, &v, sizeof v); }

/// Channels `first ..< first + count` (count ≤ CHANNEL_LANES) across the lanes of each vector; the
/// window is `kh × kw` taps `dh` rows and `dw` columns apart.
static inline __attribute__((always_inline)) void channel_block(const float *input, long height, long width, const float *weights, const float *scale,
                                 const float *bias, const pth_depthwise_geometry *g, long first, long count,
                                 long out_height, long out_width, float *output, float *scratch,
                                 const long kh, const long kw, const long dh, const long dw) {
    const long taps = kh * kw;
    const long paddedw = padded_width(g, width), plane = padded_height(g, height) * paddedw;
    float *interleaved = scratch, *filters = scratch + plane * CHANNEL_LANES;
    // The block's channels interleaved into the padded plane (padding was zeroed by the caller;
    // lanes of missing channels are zeroed here, with zero taps and bias): CHANNEL_LANES pixels of
    // the channels' planes, taken as flat runs, transposed in registers at a time.
    const long plane_in = height * width;
    long q = 0;
    for (; q + CHANNEL_LANES <= plane_in; q += CHANNEL_LANES) {
        cvec r[CHANNEL_LANES];
        for (long c = 0; c < CHANNEL_LANES; c++) r[c] = c < count ? cload(input + (first + c) * plane_in + q) : (cvec){0};
        transpose_lanes(r);
        long h = q / width, w = q % width;
        for (long i = 0; i < CHANNEL_LANES; i++) {
            cstore(interleaved + ((h + g->pad_top) * paddedw + g->pad_left + w) * CHANNEL_LANES, r[i]);
            if (++w == width) { w = 0; h++; }
        }
    }
    for (; q < plane_in; q++) {
        float *pixel = interleaved + ((q / width + g->pad_top) * paddedw + g->pad_left + q % width) * CHANNEL_LANES;
        for (long c = 0; c < CHANNEL_LANES; c++) pixel[c] = c < count ? input[(first + c) * plane_in + q] : 0;
    }
    cvec b = {0};
    for (long c = 0; c < CHANNEL_LANES; c++) {
        for (long t = 0; t < taps; t++) filters[t * CHANNEL_LANES + c] = c < count ? weights[(first + c) * taps + t] * scale[first + c] : 0;
        b[c] = c < count ? bias[first + c] : 0;
    }
    const long pixels = out_height * out_width, out_plane = out_height * out_width;
    const long line_stride = dh * paddedw * CHANNEL_LANES, tap_stride = dw * CHANNEL_LANES;
    const long row_step = g->stride_height * paddedw * CHANNEL_LANES, column_step = g->stride_width * CHANNEL_LANES;
    // The output row and column of the block's first pixel, advanced without a division.
    long block_row = 0, block_column = 0;
    for (long p = 0; p < pixels; p += BLOCK_PIXELS) {
        long base[BLOCK_PIXELS];
        long row = block_row, column = block_column;
        for (long k = 0; k < BLOCK_PIXELS; k++) {
            // Pixels past the last repeat the block's first (computed, never stored).
            base[k] = p + k < pixels ? row * row_step + column * column_step : base[0];
            if (++column == out_width) { column = 0; row++; }
        }
        block_row = row;
        block_column = column;
        cvec acc[BLOCK_PIXELS];
        for (long k = 0; k < BLOCK_PIXELS; k++) acc[k] = b;
        for (long i = 0; i < kh; i++) {
            for (long j = 0; j < kw; j++) {
                const cvec f = cload(filters + (i * kw + j) * CHANNEL_LANES);
                const float *tap = interleaved + i * line_stride + j * tap_stride;
                for (long k = 0; k < BLOCK_PIXELS; k++) acc[k] = __builtin_elementwise_fma(f, cload(tap + base[k]), acc[k]);
            }
        }
        if (p + BLOCK_PIXELS <= pixels) {
            // Pixels × channels to channels × pixels, CHANNEL_LANES pixels at a time: each channel's
            // run of them in one store.
            for (long s = 0; s < BLOCK_PIXELS; s += CHANNEL_LANES) {
                const long run = BLOCK_PIXELS - s < CHANNEL_LANES ? BLOCK_PIXELS - s : CHANNEL_LANES;
                cvec r[CHANNEL_LANES];
                for (long k = 0; k < CHANNEL_LANES; k++) r[k] = k < run ? acc[s + k] : (cvec){0};
                transpose_lanes(r);
                for (long c = 0; c < count; c++) memcpy(output + (first + c) * out_plane + p + s, &r[c], run * sizeof(float));
            }
        } else {
            for (long k = 0; p + k < pixels; k++) {
                for (long c = 0; c < count; c++) output[(first + c) * out_plane + p + k] = acc[k][c];
            }
        }
    }
}

static void depthwise_kernel(const float *input, long height, long width, const float *weights, const float *scale,
                   const float *bias, pth_activation_kind activation, const pth_depthwise_geometry *g,
                   long first_channel, long end_channel, long out_height, long out_width, float *output,
                   float *scratch) {
    const long kh = g->kernel_height, kw = g->kernel_width, taps = kh * kw;
    const long paddedw = padded_width(g, width), out_plane = out_height * out_width;
    memset(scratch, 0, sizeof(float) * depthwise_scratch_count(g, height, width));
    if (uses_channel_blocks(g, width)) {
        // 3×3 and 5×5 undilated windows with their sizes known to the compiler (taps unrolled).
        const int common = g->dilation_height == 1 && g->dilation_width == 1 && kh == kw && (kh == 3 || kh == 5);
        for (long first = first_channel; first < end_channel; first += CHANNEL_LANES) {
            long count = end_channel - first < CHANNEL_LANES ? end_channel - first : CHANNEL_LANES;
#define BLOCK(kh, kw, dh, dw) \
    channel_block(input, height, width, weights, scale, bias, g, first, count, out_height, out_width, output, scratch, kh, kw, dh, dw)
            if (common && kh == 3) {
                BLOCK(3, 3, 1, 1);
            } else if (common) {
                BLOCK(5, 5, 1, 1);
            } else {
                BLOCK(kh, kw, g->dilation_height, g->dilation_width);
            }
#undef BLOCK
            // The block's output planes are contiguous: one run of the activation loop over them.
            activation_kernel(activation, output + first * out_plane, output + first * out_plane, count * out_plane, 1, 0);
        }
        return;
    }
    float *padded = scratch, *filter = scratch + depthwise_scratch_count(g, height, width) - taps;
    const int split = deinterleaves(g, width);
    for (long c = first_channel; c < end_channel; c++) {
        const float *plane = input + c * height * width;
        for (long h = 0; h < height; h++) {
            float *row = padded + (h + g->pad_top) * paddedw;
            if (split) {
                deinterleave_row(plane + h * width, width, g->pad_left, paddedw, row);
            } else {
                memcpy(row + g->pad_left, plane + h * width, sizeof(float) * width);
            }
        }
        for (long t = 0; t < taps; t++) filter[t] = weights[c * taps + t] * scale[c];
        float *out = output + c * out_plane;
        if (g->stride_width <= 2) {
            channel_by_rows(padded, paddedw, filter, bias[c], g, out, out_height, out_width, split);
        } else {
            for (long oh = 0; oh < out_height; oh++) {
                for (long ow = 0; ow < out_width; ow++) {
                    const float *top = padded + oh * g->stride_height * paddedw + ow * g->stride_width;
                    float sum = bias[c];
                    for (long i = 0; i < kh; i++) {
                        for (long j = 0; j < kw; j++) {
                            sum = __builtin_fmaf(filter[i * kw + j], top[i * g->dilation_height * paddedw + j * g->dilation_width], sum);
                        }
                    }
                    out[oh * out_width + ow] = sum;
                }
            }
        }
        activation_kernel(activation, out, out, out_plane, 1, 0);
        // Padding stays zero; only the interior is overwritten by the next channel.
    }
}
