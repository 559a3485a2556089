#include <string.h>
#include <gif_lib.h>

// giflib reports failures through return codes and an error code, so no longjmp is involved;
// these wrappers read from memory and walk the records up to the first image.

/// A giflib reader over an in-memory file.
typedef struct {
    GifFileType *gif;
    const unsigned char *data;
    size_t size;
    size_t offset;
    /// giflib's code for the last failure (GifErrorString describes it).
    int error;
} pth_gif_decoder;

static int pth_gif_read_bytes(GifFileType *gif, GifByteType *out, int length) {
    pth_gif_decoder *decoder = (pth_gif_decoder *)gif->UserData;
    size_t left = decoder->size - decoder->offset;
    size_t count = length < 0 ? 0 : (size_t)length;
    if (count > left) {
        count = left;
    }
    memcpy(out, decoder->data + decoder->offset, count);
    decoder->offset += count;
    return (int)count;
}

/// Reads the screen descriptor and the global colour table. Returns 0 on success.
static inline int pth_gif_open(pth_gif_decoder *decoder, const unsigned char *data, size_t size) {
    memset(decoder, 0, sizeof(*decoder));
    decoder->data = data;
    decoder->size = size;
    decoder->gif = DGifOpen(decoder, pth_gif_read_bytes, &decoder->error);
    return decoder->gif ? 0 : 1;
}

/// Skips records up to the first image descriptor and reads it into gif->Image, so that
/// DGifGetLine reads its rows next. `transparency` receives the transparent index of the
/// graphics control extension before the image (the last one wins), or -1.
/// Returns 0 on success, 1 on a read failure, 2 if the file ends without an image.
static inline int pth_gif_first_image(pth_gif_decoder *decoder, int *transparency) {
    *transparency = -1;
    for (;;) {
        GifRecordType record;
        if (DGifGetRecordType(decoder->gif, &record) == GIF_ERROR) {
            decoder->error = decoder->gif->Error;
            return 1;
        }
        if (record == IMAGE_DESC_RECORD_TYPE) {
            if (DGifGetImageDesc(decoder->gif) == GIF_ERROR) {
                decoder->error = decoder->gif->Error;
                return 1;
            }
            return 0;
        }
        if (record == TERMINATE_RECORD_TYPE) {
            return 2;
        }
        if (record == EXTENSION_RECORD_TYPE) {
            int code = 0;
            GifByteType *block = NULL;
            if (DGifGetExtension(decoder->gif, &code, &block) == GIF_ERROR) {
                decoder->error = decoder->gif->Error;
                return 1;
            }
            // A graphics control block: length, flags, delay (2 bytes), transparent index.
            if (code == GRAPHICS_EXT_FUNC_CODE && block && block[0] >= 4 && (block[1] & 1)) {
                *transparency = block[4];
            }
            while (block) {
                if (DGifGetExtensionNext(decoder->gif, &block) == GIF_ERROR) {
                    decoder->error = decoder->gif->Error;
                    return 1;
                }
            }
        }
    }
}

/// Reads the next `width` pixel indices of the current image into `row`. Returns 0 on success.
static inline int pth_gif_read_row(pth_gif_decoder *decoder, unsigned char *row, int width) {
    if (DGifGetLine(decoder->gif, row, width) == GIF_ERROR) {
        decoder->error = decoder->gif->Error;
        return 1;
    }
    return 0;
}

/// Frees the reader; safe after a failed open.
static inline void pth_gif_close(pth_gif_decoder *decoder) {
    if (decoder->gif) {
        int error = 0;
        DGifCloseFile(decoder->gif, &error);
        decoder->gif = NULL;
    }
}
