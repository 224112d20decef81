// libvips for Swift. libvips's operations are C-variadic (NULL-terminated option lists), which Swift
// cannot call, so each call the Imaging module needs gets a fixed-argument wrapper here.
#ifndef IMAGEFUNCTIONS_CVIPS_SHIM_H
#define IMAGEFUNCTIONS_CVIPS_SHIM_H

#include <vips/vips.h>

// VIPS_INIT is a macro; Swift cannot expand it.
static inline int cvips_init(const char *argv0) { return VIPS_INIT(argv0); }

#endif
