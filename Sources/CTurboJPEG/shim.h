// libjpeg-turbo's TurboJPEG API (Debian's libturbojpeg0-dev), for its lossless transform: a JPEG rewritten
// from its DCT coefficients, rotated, flipped or re-scanned without decoding a pixel.
#ifndef IMAGEFUNCTIONS_CTURBOJPEG_SHIM_H
#define IMAGEFUNCTIONS_CTURBOJPEG_SHIM_H

#include <stddef.h>
#include <turbojpeg.h>

// One transform of one JPEG into a buffer TurboJPEG allocates (free it with tjFree). Returns 0 on success and
// -1 on failure, with the reason in tjGetErrorStr2(handle). A struct initializer in C, where its fields and
// their order are TurboJPEG's business.
static inline int ctj_transform(tjhandle handle, const unsigned char *jpeg, unsigned long size, int op, int options,
                                int flags, unsigned char **out, unsigned long *outSize) {
    tjtransform transform = {0};
    transform.op = op;
    transform.options = options;
    *out = NULL;
    *outSize = 0;
    return tjTransform(handle, jpeg, size, 1, out, outSize, &transform, flags);
}

#endif
