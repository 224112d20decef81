// libvips for Swift. libvips's operations are C-variadic (NULL-terminated option lists), which Swift
// cannot call, so each call the Imaging module needs gets a fixed-argument wrapper here. Every wrapper
// returns 0 on success and -1 on error, with the reason in libvips's error buffer (vips_error_buffer()).
#ifndef IMAGEFUNCTIONS_CVIPS_SHIM_H
#define IMAGEFUNCTIONS_CVIPS_SHIM_H

#include <vips/vips.h>
#include <malloc.h>

// Allocations of at least `bytes` get pages of their own (mmap), given back to the system when freed.
// glibc otherwise raises this threshold after the first large free, so a process keeps the peak of its
// largest image for good.
static inline int cvips_fix_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

// VIPS_INIT is a macro; Swift cannot expand it.
static inline int cvips_init(const char *argv0) { return VIPS_INIT(argv0); }

static inline void cvips_unref(VipsImage *image) { if (image) g_object_unref(image); }
static inline void cvips_unref_object(void *object) { if (object) g_object_unref(object); }

// ---- loading

// A source that owns a copy of the bytes, so images made from it never point at memory Swift may free.
static inline VipsSource *cvips_source_new_copying(const void *data, size_t length) {
    VipsBlob *blob = vips_blob_copy(data, length);
    if (!blob) return NULL;
    VipsSource *source = vips_source_new_from_blob(blob);
    vips_area_unref((VipsArea *) blob);
    return source;
}

// Opens an image lazily (header only until pixels are asked for). `options` is libvips's option string
// for the loader, e.g. "access=sequential,fail_on=error".
static inline VipsImage *cvips_image_new_from_source(VipsSource *source, const char *options) {
    return vips_image_new_from_source(source, options, NULL);
}

// Resize with shrink-on-load from the source, autorotated: width/height, size (VipsSize), crop (VipsInteresting).
static inline int cvips_thumbnail_source(VipsSource *source, VipsImage **out, int width, int height, VipsSize size,
                                         VipsInteresting crop, const char *option_string, VipsFailOn fail_on) {
    return vips_thumbnail_source(source, out, width, "height", height, "size", size, "crop", crop,
                                 "option_string", option_string, "fail_on", fail_on, NULL);
}

static inline int cvips_thumbnail_image(VipsImage *in, VipsImage **out, int width, int height, VipsSize size,
                                        VipsInteresting crop) {
    return vips_thumbnail_image(in, out, width, "height", height, "size", size, "crop", crop, "no_rotate", TRUE, NULL);
}

// ---- geometry

static inline int cvips_autorot(VipsImage *in, VipsImage **out) { return vips_autorot(in, out, NULL); }
// Frames one above the other, as libvips holds an animation (its page-height says where each begins).
static inline int cvips_arrayjoin_vertical(VipsImage **in, VipsImage **out, int n) {
    return vips_arrayjoin(in, out, n, "across", 1, NULL);
}
static inline int cvips_copy(VipsImage *in, VipsImage **out) { return vips_copy(in, out, NULL); }
// A black image: lazy, so only its header exists until pixels are asked for (the pipeline dry run).
static inline int cvips_black(VipsImage **out, int width, int height, int bands) {
    return vips_black(out, width, height, "bands", bands, NULL);
}
static inline int cvips_extract_area(VipsImage *in, VipsImage **out, int left, int top, int width, int height) {
    return vips_extract_area(in, out, left, top, width, height, NULL);
}
static inline int cvips_rot(VipsImage *in, VipsImage **out, VipsAngle angle) { return vips_rot(in, out, angle, NULL); }
static inline int cvips_flip(VipsImage *in, VipsImage **out, VipsDirection direction) {
    return vips_flip(in, out, direction, NULL);
}
// Any angle, clockwise, on a canvas enlarged to hold the whole image; `background` has one value per band.
static inline int cvips_rotate(VipsImage *in, VipsImage **out, double angle, const double *background, int n) {
    VipsArrayDouble *array = vips_array_double_new(background, n);
    int result = vips_rotate(in, out, angle, "background", array, NULL);
    vips_area_unref(VIPS_AREA(array));
    return result;
}
static inline int cvips_embed(VipsImage *in, VipsImage **out, int x, int y, int width, int height,
                              const double *background, int n) {
    VipsArrayDouble *array = vips_array_double_new(background, n);
    int result = vips_embed(in, out, x, y, width, height, "extend", VIPS_EXTEND_BACKGROUND, "background", array, NULL);
    vips_area_unref(VIPS_AREA(array));
    return result;
}

// ---- colour and filters

static inline int cvips_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space) {
    return vips_colourspace(in, out, space, NULL);
}
// To a built-in profile by name ("srgb", "p3", "cmyk"), which the output carries: tests make tagged images with it.
static inline int cvips_icc_transform(VipsImage *in, VipsImage **out, const char *profile) {
    return vips_icc_transform(in, out, profile, "embedded", TRUE, NULL);
}
static inline int cvips_icc_to_srgb(VipsImage *in, VipsImage **out) {
    return vips_icc_transform(in, out, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL, NULL);
}
static inline int cvips_recomb(VipsImage *in, VipsImage **out, const double *matrix, int rows, int cols) {
    VipsImage *m = vips_image_new_matrix_from_array(cols, rows, matrix, rows * cols);
    if (!m) return -1;
    int result = vips_recomb(in, out, m, NULL);
    g_object_unref(m);
    return result;
}
static inline int cvips_gaussblur(VipsImage *in, VipsImage **out, double sigma) { return vips_gaussblur(in, out, sigma, NULL); }
static inline int cvips_sharpen(VipsImage *in, VipsImage **out) { return vips_sharpen(in, out, NULL); }
static inline int cvips_invert(VipsImage *in, VipsImage **out) { return vips_invert(in, out, NULL); }
static inline int cvips_linear1(VipsImage *in, VipsImage **out, double a, double b) { return vips_linear1(in, out, a, b, NULL); }
static inline int cvips_cast_uchar(VipsImage *in, VipsImage **out) { return vips_cast(in, out, VIPS_FORMAT_UCHAR, NULL); }
static inline int cvips_extract_band(VipsImage *in, VipsImage **out, int band, int n) {
    return vips_extract_band(in, out, band, "n", n, NULL);
}
static inline int cvips_bandjoin2(VipsImage *a, VipsImage *b, VipsImage **out) { return vips_bandjoin2(a, b, out, NULL); }
static inline int cvips_bandjoin_const1(VipsImage *in, VipsImage **out, double c) {
    return vips_bandjoin_const1(in, out, c, NULL);
}
static inline int cvips_flatten(VipsImage *in, VipsImage **out, const double *background, int n) {
    VipsArrayDouble *array = vips_array_double_new(background, n);
    int result = vips_flatten(in, out, "background", array, NULL);
    vips_area_unref(VIPS_AREA(array));
    return result;
}
static inline int cvips_addalpha(VipsImage *in, VipsImage **out) { return vips_addalpha(in, out, NULL); }
static inline int cvips_composite2(VipsImage *base, VipsImage *overlay, VipsImage **out, int x, int y) {
    return vips_composite2(base, overlay, out, VIPS_BLEND_MODE_OVER, "x", x, "y", y, NULL);
}
// Text as a one-band mask, `font` a Pango description ("DejaVu Sans Bold 40").
static inline int cvips_text(VipsImage **out, const char *text, const char *font) {
    return vips_text(out, text, "font", font, "dpi", 72, NULL);
}
static inline int cvips_copy_memory(VipsImage *in, VipsImage **out) {
    VipsImage *copy = vips_image_copy_memory(in);
    if (!copy) return -1;
    *out = copy;
    return 0;
}
static inline int cvips_copy_interpretation(VipsImage *in, VipsImage **out, VipsInterpretation space) {
    return vips_copy(in, out, "interpretation", space, NULL);
}

// ---- saving (metadata stripped)

// A header copy without EXIF, XMP, IPTC, ICC or orientation fields. Savers also get "strip", but libvips 8.14's
// WebP saver still writes EXIF from these fields, so they are removed before any saver sees them.
static inline int cvips_without_metadata(VipsImage *in, VipsImage **out) {
    if (vips_copy(in, out, NULL)) return -1;
    gchar **fields = vips_image_get_fields(*out);
    for (int i = 0; fields[i]; i++) {
        const char *name = fields[i];
        if (g_str_has_prefix(name, "exif-") || g_str_has_prefix(name, "xmp-") || g_str_has_prefix(name, "iptc-") ||
            g_str_has_prefix(name, "icc-") || g_str_has_prefix(name, "orientation") || g_str_has_suffix(name, "-comment")) {
            vips_image_remove(*out, name);
        }
    }
    g_strfreev(fields);
    return 0;
}

static inline int cvips_jpegsave(VipsImage *in, void **buf, size_t *len, int q, gboolean optimize, gboolean subsample) {
    return vips_jpegsave_buffer(in, buf, len, "Q", q, "strip", TRUE, "optimize_coding", optimize,
                                "subsample_mode", subsample ? VIPS_FOREIGN_SUBSAMPLE_ON : VIPS_FOREIGN_SUBSAMPLE_AUTO,
                                "trellis_quant", optimize, "overshoot_deringing", optimize,
                                "optimize_scans", optimize, NULL);
}
static inline int cvips_pngsave(VipsImage *in, void **buf, size_t *len, int compression, gboolean palette, int q) {
    return vips_pngsave_buffer(in, buf, len, "compression", compression, "palette", palette, "Q", q,
                               "strip", TRUE, NULL);
}
static inline int cvips_webpsave(VipsImage *in, void **buf, size_t *len, int q, int effort) {
    return vips_webpsave_buffer(in, buf, len, "Q", q, "effort", effort, "strip", TRUE, NULL);
}
static inline int cvips_heifsave(VipsImage *in, void **buf, size_t *len, int q, VipsForeignHeifCompression compression,
                                 int effort) {
    return vips_heifsave_buffer(in, buf, len, "Q", q, "compression", compression, "effort", effort, "strip", TRUE, NULL);
}
static inline int cvips_gifsave(VipsImage *in, void **buf, size_t *len, int effort, double dither) {
    return vips_gifsave_buffer(in, buf, len, "effort", effort, "dither", dither, "strip", TRUE, NULL);
}
static inline int cvips_tiffsave(VipsImage *in, void **buf, size_t *len, VipsForeignTiffCompression compression, int q) {
    return vips_tiffsave_buffer(in, buf, len, "compression", compression, "Q", q, "strip", TRUE, NULL);
}

// Decodes every pixel (computing their mean), to find damage without keeping the pixels.
static inline int cvips_decode_all(VipsImage *in) {
    double mean;
    return vips_avg(in, &mean, NULL);
}

// ---- header

static inline int cvips_get_int(VipsImage *image, const char *name, int *out) { return vips_image_get_int(image, name, out); }
static inline int cvips_get_string(VipsImage *image, const char *name, const char **out) {
    return vips_image_get_string(image, name, out);
}
static inline gboolean cvips_has_field(VipsImage *image, const char *name) {
    return vips_image_get_typeof(image, name) != 0;
}

// ---- for tests: raw pixels in and out, metadata kept

static inline VipsImage *cvips_image_from_pixels(const void *data, size_t size, int width, int height, int bands) {
    return vips_image_new_from_memory_copy(data, size, width, height, bands, VIPS_FORMAT_UCHAR);
}
static inline int cvips_getpoint(VipsImage *in, double **vector, int *n, int x, int y) {
    return vips_getpoint(in, vector, n, x, y, NULL);
}
static inline int cvips_jpegsave_keep_metadata(VipsImage *in, void **buf, size_t *len, int q) {
    return vips_jpegsave_buffer(in, buf, len, "Q", q, NULL);
}

#endif
