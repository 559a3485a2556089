#ifndef PTH_WINOGRAD_H
#define PTH_WINOGRAD_H

#include "isa.h"

/// Winograd's transformed filters for `rows` output channels of a conv: F(4×4, 3×3) for `kernel` 3
/// and F(2×2, 5×5) for `kernel` 5 on `window` 6 (6×6 tiles), F(2×2, 3×3) for `kernel` 3 on `window`
/// 4. `packed` is where their panels start in the conv's weights packed for `isa` (`pth_gemm_pack` of
/// the `out × kernel²·in` matrix, so a multiple of `pth_gemm_panel_rows` rows in), `scale` their
/// folded BatchNorm factors (`rows` of them, or NULL for 1). For each transform-domain position `e`
/// (of window², row-major over the tile) writes `scale[o]·(G·g·Gᵀ)[e]` as a `rows × in` matrix packed
/// for `isa` at `u + e·u_stride`, so each is the A of one of the window² products. Computed in float,
/// the same for any cut of the rows.
void pth_winograd_filters(pth_isa isa, const float *packed, long in, long kernel, long window, long rows,
                          const float *scale, float *u, long u_stride);

#endif
