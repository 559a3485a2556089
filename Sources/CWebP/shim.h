#include <stdint.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

// PIL reads every WebP file, still or animated, through libwebp's animation decoder with its
// default options (non-premultiplied RGBA, no threads), so the first frame is composed on the
// canvas exactly as it is here.

/// An animation decoder over an in-memory file and the first frame it produced.
typedef struct {
    WebPAnimDecoder *decoder;
    /// The canvas size from the container's headers.
    uint32_t width;
    uint32_t height;
    /// canvas width × height RGBA pixels, owned by the decoder; valid until pth_webp_close.
    const uint8_t *frame;
} pth_webp_decoder;

/// Parses the container's headers without decoding pixels and fills the canvas size.
/// Returns 0 on success, nonzero if the file is not a WebP file libwebp can parse.
static inline int pth_webp_open(pth_webp_decoder *decoder, const uint8_t *data, size_t size) {
    memset(decoder, 0, sizeof(*decoder));
    WebPData bytes = {data, size};
    WebPDemuxer *demuxer = WebPDemux(&bytes);
    if (!demuxer) {
        return 1;
    }
    decoder->width = WebPDemuxGetI(demuxer, WEBP_FF_CANVAS_WIDTH);
    decoder->height = WebPDemuxGetI(demuxer, WEBP_FF_CANVAS_HEIGHT);
    WebPDemuxDelete(demuxer);
    return 0;
}

/// Allocates the canvas and decodes the first frame onto it; `data` must stay alive until
/// pth_webp_close. Returns 0 on success, 1 if the decoder cannot be created, 2 if the first
/// frame fails to decode.
static inline int pth_webp_decode(pth_webp_decoder *decoder, const uint8_t *data, size_t size) {
    WebPData bytes = {data, size};
    decoder->decoder = WebPAnimDecoderNew(&bytes, NULL);
    if (!decoder->decoder) {
        return 1;
    }
    uint8_t *frame = NULL;
    int timestamp = 0;
    if (!WebPAnimDecoderGetNext(decoder->decoder, &frame, &timestamp)) {
        return 2;
    }
    decoder->frame = frame;
    return 0;
}

/// Frees the decoder and its canvas; safe after a failed open or decode.
static inline void pth_webp_close(pth_webp_decoder *decoder) {
    WebPAnimDecoderDelete(decoder->decoder);
    decoder->decoder = NULL;
    decoder->frame = NULL;
}
