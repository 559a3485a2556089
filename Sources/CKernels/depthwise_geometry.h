#ifndef PTH_DEPTHWISE_GEOMETRY_H
#define PTH_DEPTHWISE_GEOMETRY_H

// Sizes the depthwise kernel and its callers agree on, the same for every instruction set.
#include "depthwise.h"

/// Output rows a row tile computes together.
#define TILE_ROWS 4
/// Floats per vector (and channels per channel block).
#define LANES 16

static inline long padded_height(const pth_depthwise_geometry *g, long height) { return height + g->pad_top + g->pad_bottom; }
static inline long padded_width(const pth_depthwise_geometry *g, long width) { return width + g->pad_left + g->pad_right; }
static inline long out_width_of(const pth_depthwise_geometry *g, long width) {
    return (padded_width(g, width) - g->dilation_width * (g->kernel_width - 1) - 1) / g->stride_width + 1;
}
/// Rows under 8 output pixels (7×7 maps) would fill under half of a row tile's vectors; 14-pixel
/// rows fill 14 of 16 lanes, which costs less than interleaving 16 channels and transposing back.
static inline int uses_channel_blocks(const pth_depthwise_geometry *g, long width) { return out_width_of(g, width) < 8; }

/// Floats of scratch `pth_depthwise` needs (see depthwise.h).
static inline long depthwise_scratch_count(const pth_depthwise_geometry *g, long height, long width) {
    long plane = padded_height(g, height) * padded_width(g, width);
    long taps = g->kernel_height * g->kernel_width;
    if (uses_channel_blocks(g, width)) return (plane + taps) * LANES;
    // Rows past the last (a tile's spare rows) and lanes past a row's end read zeroed slack.
    return plane + (TILE_ROWS - 1) * g->stride_height * padded_width(g, width) + 4 * LANES + taps;
}

#endif
