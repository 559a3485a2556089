#include <setjmp.h>
#include <string.h>
#include <png.h>

// libpng reports errors by longjmp-ing out of the failing call. Swift cannot catch that, so
// the setjmp lives here: each wrapper returns 0 on success, nonzero with `message` filled in.

/// A read struct over an in-memory file, plus the error state its error handler jumps to.
typedef struct {
    png_structp png;
    png_infop info;
    const unsigned char *data;
    size_t size;
    size_t offset;
    jmp_buf jump;
    char message[256];
} pth_png_decoder;

static void pth_png_error(png_structp png, png_const_charp message) {
    pth_png_decoder *decoder = (pth_png_decoder *)png_get_error_ptr(png);
    strncpy(decoder->message, message, sizeof(decoder->message) - 1);
    decoder->message[sizeof(decoder->message) - 1] = 0;
    longjmp(decoder->jump, 1);
}

static void pth_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void pth_png_read_bytes(png_structp png, png_bytep out, size_t length) {
    pth_png_decoder *decoder = (pth_png_decoder *)png_get_io_ptr(png);
    if (decoder->size - decoder->offset < length) {
        png_error(png, "file is truncated");
    }
    memcpy(out, decoder->data + decoder->offset, length);
    decoder->offset += length;
}

/// Creates the read struct over `size` bytes at `data` and reads everything up to the pixels.
static inline int pth_png_open(pth_png_decoder *decoder, const unsigned char *data, size_t size) {
    memset(decoder, 0, sizeof(*decoder));
    decoder->data = data;
    decoder->size = size;
    decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder, pth_png_error, pth_png_warning);
    if (!decoder->png) {
        strcpy(decoder->message, "libpng could not allocate a read struct");
        return 1;
    }
    if (setjmp(decoder->jump)) {
        return 1;
    }
    decoder->info = png_create_info_struct(decoder->png);
    if (!decoder->info) {
        png_error(decoder->png, "libpng could not allocate an info struct");
    }
    png_set_read_fn(decoder->png, decoder, pth_png_read_bytes);
    png_read_info(decoder->png, decoder->info);
    return 0;
}

/// Sets the read transforms: de-interlacing, and sub-byte samples unpacked to one byte each
/// (values unscaled). 16-bit samples stay big-endian: every conversion to 8-bit RGB is left to
/// the caller, which follows PIL's rules. Afterwards png_get_rowbytes gives the output row size.
static inline int pth_png_prepare(pth_png_decoder *decoder) {
    if (setjmp(decoder->jump)) {
        return 1;
    }
    png_set_packing(decoder->png);
    png_set_interlace_handling(decoder->png);
    png_read_update_info(decoder->png, decoder->info);
    return 0;
}

/// Reads the whole image into `rows`, each png_get_rowbytes long.
static inline int pth_png_read(pth_png_decoder *decoder, unsigned char **rows) {
    if (setjmp(decoder->jump)) {
        return 1;
    }
    png_read_image(decoder->png, rows);
    return 0;
}

/// Frees the read and info structs; safe after a failed open.
static inline void pth_png_close(pth_png_decoder *decoder) {
    if (decoder->png) {
        png_destroy_read_struct(&decoder->png, decoder->info ? &decoder->info : NULL, NULL);
    }
}
