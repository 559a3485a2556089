#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>

// libtiff reads through client callbacks, here over an in-memory file (mapped, so strips are
// not copied), and reports errors through a per-file handler that keeps the first message.
// TIFFGetField and TIFFSetField are variadic, which Swift cannot call, so each tag this
// package reads has a typed wrapper.

/// A libtiff reader over an in-memory file, with the first error libtiff reported.
typedef struct {
    TIFF *tiff;
    const unsigned char *data;
    toff_t size;
    toff_t offset;
    char message[256];
} pth_tiff_decoder;

static tmsize_t pth_tiff_read(thandle_t handle, void *out, tmsize_t length) {
    pth_tiff_decoder *decoder = (pth_tiff_decoder *)handle;
    if (length <= 0 || decoder->offset >= decoder->size) {
        return 0;
    }
    toff_t count = (toff_t)length;
    if (count > decoder->size - decoder->offset) {
        count = decoder->size - decoder->offset;
    }
    memcpy(out, decoder->data + decoder->offset, (size_t)count);
    decoder->offset += count;
    return (tmsize_t)count;
}

static tmsize_t pth_tiff_write(thandle_t handle, void *data, tmsize_t length) {
    (void)handle;
    (void)data;
    (void)length;
    return -1;
}

static toff_t pth_tiff_seek(thandle_t handle, toff_t offset, int whence) {
    pth_tiff_decoder *decoder = (pth_tiff_decoder *)handle;
    switch (whence) {
    case SEEK_SET: decoder->offset = offset; break;
    case SEEK_CUR: decoder->offset += offset; break;
    case SEEK_END: decoder->offset = decoder->size + offset; break;
    default: return (toff_t)-1;
    }
    return decoder->offset;
}

static int pth_tiff_close(thandle_t handle) {
    (void)handle;
    return 0;
}

static toff_t pth_tiff_size(thandle_t handle) {
    return ((pth_tiff_decoder *)handle)->size;
}

static int pth_tiff_map(thandle_t handle, void **base, toff_t *size) {
    pth_tiff_decoder *decoder = (pth_tiff_decoder *)handle;
    *base = (void *)decoder->data;
    *size = decoder->size;
    return 1;
}

static void pth_tiff_unmap(thandle_t handle, void *base, toff_t size) {
    (void)handle;
    (void)base;
    (void)size;
}

static int pth_tiff_error(TIFF *tiff, void *user_data, const char *module, const char *format, va_list arguments) {
    (void)tiff;
    (void)module;
    pth_tiff_decoder *decoder = (pth_tiff_decoder *)user_data;
    if (decoder->message[0] == 0) {
        vsnprintf(decoder->message, sizeof(decoder->message), format, arguments);
    }
    return 1;
}

static int pth_tiff_warning(TIFF *tiff, void *user_data, const char *module, const char *format, va_list arguments) {
    (void)tiff;
    (void)user_data;
    (void)module;
    (void)format;
    (void)arguments;
    return 1;
}

/// Opens the file and reads its first directory (the first page, as PIL reads it).
/// Returns 0 on success, nonzero with `message` filled in.
static inline int pth_tiff_open(pth_tiff_decoder *decoder, const unsigned char *data, size_t size) {
    memset(decoder, 0, sizeof(*decoder));
    decoder->data = data;
    decoder->size = size;
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (!options) {
        strcpy(decoder->message, "libtiff could not allocate its options");
        return 1;
    }
    TIFFOpenOptionsSetErrorHandlerExtR(options, pth_tiff_error, decoder);
    TIFFOpenOptionsSetWarningHandlerExtR(options, pth_tiff_warning, decoder);
    decoder->tiff = TIFFClientOpenExt("tiff", "r", (thandle_t)decoder, pth_tiff_read, pth_tiff_write, pth_tiff_seek,
                                      pth_tiff_close, pth_tiff_size, pth_tiff_map, pth_tiff_unmap, options);
    TIFFOpenOptionsFree(options);
    if (!decoder->tiff && decoder->message[0] == 0) {
        strcpy(decoder->message, "not a readable TIFF file");
    }
    return decoder->tiff ? 0 : 1;
}

/// A 16-bit tag, or its TIFF default when absent. Returns 0 if the tag has no value.
static inline int pth_tiff_uint16(pth_tiff_decoder *decoder, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(decoder->tiff, tag, value);
}

/// A 32-bit tag, or its TIFF default when absent. Returns 0 if the tag has no value.
static inline int pth_tiff_uint32(pth_tiff_decoder *decoder, uint32_t tag, uint32_t *value) {
    return TIFFGetFieldDefaulted(decoder->tiff, tag, value);
}

/// The ExtraSamples tag: `count` entries at `*types` (owned by libtiff), 0 entries if absent.
static inline void pth_tiff_extra_samples(pth_tiff_decoder *decoder, uint16_t *count, const uint16_t **types) {
    uint16_t *values = NULL;
    if (!TIFFGetField(decoder->tiff, TIFFTAG_EXTRASAMPLES, count, &values)) {
        *count = 0;
    }
    *types = values;
}

/// The ColorMap tag: three arrays of 1 << bits 16-bit entries (owned by libtiff).
/// Returns 0 if the file has none.
static inline int pth_tiff_colormap(pth_tiff_decoder *decoder, const uint16_t **red, const uint16_t **green,
                                    const uint16_t **blue) {
    uint16_t *r = NULL, *g = NULL, *b = NULL;
    int found = TIFFGetField(decoder->tiff, TIFFTAG_COLORMAP, &r, &g, &b);
    *red = r;
    *green = g;
    *blue = b;
    return found;
}

/// Asks the JPEG codec for RGB instead of YCbCr (libjpeg does the conversion and upsampling).
static inline int pth_tiff_jpeg_rgb(pth_tiff_decoder *decoder) {
    return TIFFSetField(decoder->tiff, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
}

/// Closes the reader; safe after a failed open.
static inline void pth_tiff_close_file(pth_tiff_decoder *decoder) {
    if (decoder->tiff) {
        TIFFClose(decoder->tiff);
        decoder->tiff = NULL;
    }
}
