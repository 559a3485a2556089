#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

// libjpeg reports fatal errors by calling error_exit, which by default exits the process.
// Swift cannot catch a longjmp, so the setjmp/longjmp pair lives here and every call that can
// fail is wrapped in a function returning 0 on success and nonzero with `message` filled in.

/// A decompressor plus the error state that its error_exit jumps back to.
typedef struct {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr errors;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} pth_jpeg_decoder;

static void pth_jpeg_error_exit(j_common_ptr cinfo) {
    pth_jpeg_decoder *decoder = (pth_jpeg_decoder *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, decoder->message);
    longjmp(decoder->jump, 1);
}

// A file that ends early is only a warning to libjpeg (it pads with grey), but PIL refuses it
// ("image file is truncated"), so that one warning is fatal here; other warnings stay silent.
static void pth_jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        pth_jpeg_error_exit(cinfo);
    }
}

/// Creates the decompressor over `size` bytes at `data` and reads the header.
static inline int pth_jpeg_open(pth_jpeg_decoder *decoder, const unsigned char *data, unsigned long size) {
    memset(decoder, 0, sizeof(*decoder));
    decoder->cinfo.err = jpeg_std_error(&decoder->errors);
    decoder->errors.error_exit = pth_jpeg_error_exit;
    decoder->errors.emit_message = pth_jpeg_emit_message;
    decoder->cinfo.client_data = decoder;
    if (setjmp(decoder->jump)) {
        return 1;
    }
    jpeg_create_decompress(&decoder->cinfo);
    jpeg_mem_src(&decoder->cinfo, data, size);
    jpeg_read_header(&decoder->cinfo, TRUE);
    return 0;
}

/// Starts decompression into `color_space` and reads every scanline into `pixels`
/// (`row_bytes` apart), which must hold output_height rows.
static inline int pth_jpeg_decode(pth_jpeg_decoder *decoder, J_COLOR_SPACE color_space,
                                  unsigned char *pixels, size_t row_bytes) {
    if (setjmp(decoder->jump)) {
        return 1;
    }
    decoder->cinfo.out_color_space = color_space;
    jpeg_start_decompress(&decoder->cinfo);
    while (decoder->cinfo.output_scanline < decoder->cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)decoder->cinfo.output_scanline * row_bytes;
        jpeg_read_scanlines(&decoder->cinfo, &row, 1);
    }
    jpeg_finish_decompress(&decoder->cinfo);
    return 0;
}

/// Frees everything the decompressor holds; safe after a failed open.
static inline void pth_jpeg_close(pth_jpeg_decoder *decoder) {
    jpeg_destroy_decompress(&decoder->cinfo);
}

/// A compressor plus the error state that its error_exit jumps back to (for thumbnails).
typedef struct {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr errors;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} pth_jpeg_encoder;

static void pth_jpeg_encoder_error_exit(j_common_ptr cinfo) {
    pth_jpeg_encoder *encoder = (pth_jpeg_encoder *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, encoder->message);
    longjmp(encoder->jump, 1);
}

/// Compresses `height` rows of `width` interleaved RGB pixels at `quality` (0-100) into a buffer
/// libjpeg mallocs (`*out`, `*out_size`; the caller frees it, also after a failure).
static inline int pth_jpeg_encode(pth_jpeg_encoder *encoder, const unsigned char *pixels, int width, int height,
                                  int quality, unsigned char **out, unsigned long *out_size) {
    memset(encoder, 0, sizeof(*encoder));
    encoder->cinfo.err = jpeg_std_error(&encoder->errors);
    encoder->errors.error_exit = pth_jpeg_encoder_error_exit;
    encoder->cinfo.client_data = encoder;
    *out = NULL;
    *out_size = 0;
    if (setjmp(encoder->jump)) {
        jpeg_destroy_compress(&encoder->cinfo);
        return 1;
    }
    jpeg_create_compress(&encoder->cinfo);
    jpeg_mem_dest(&encoder->cinfo, out, out_size);
    encoder->cinfo.image_width = (JDIMENSION)width;
    encoder->cinfo.image_height = (JDIMENSION)height;
    encoder->cinfo.input_components = 3;
    encoder->cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&encoder->cinfo);
    jpeg_set_quality(&encoder->cinfo, quality, TRUE);
    jpeg_start_compress(&encoder->cinfo, TRUE);
    while (encoder->cinfo.next_scanline < encoder->cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)encoder->cinfo.next_scanline * (size_t)width * 3);
        jpeg_write_scanlines(&encoder->cinfo, &row, 1);
    }
    jpeg_finish_compress(&encoder->cinfo);
    jpeg_destroy_compress(&encoder->cinfo);
    return 0;
}
