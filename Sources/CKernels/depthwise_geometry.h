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
/// Output rows narrower than a row tile's 16-float vector (7×7 and 14×14 maps) take channel blocks:
/// with the taps' vectors filled across channels, 14×14 maps ran 13–18% faster and 7×7 ones 2× (the
/// row tiles filled 14 or 7 of 16 lanes). At 28 pixels the row tiles were faster again.
static inline int uses_channel_blocks(const pth_depthwise_geometry *g, long width) { return out_width_of(g, width) < 16; }

/// Floats of scratch `pth_depthwise` needs (see depthwise.h).
static inline long depthwise_scratch_count(const pth_depthwise_geometry *g, long height, long width) {
    long plane = padded_height(g, height) * padded_width(g, width);
    long taps = g->kernel_height * g->kernel_width;
    if (uses_channel_blocks(g, width)) return (plane + taps) * LANES;
    // Rows past the last (a tile's spare rows) and lanes past a row's end read zeroed slack.
    return plane + (TILE_ROWS - 1) * g->stride_height * padded_width(g, width) + 4 * LANES + taps;
}

#endif
