// libargon2 (the reference Argon2 implementation) for Swift; its id-variant calls are not variadic.
#ifndef IMAGEFUNCTIONS_CARGON2_SHIM_H
#define IMAGEFUNCTIONS_CARGON2_SHIM_H
#include <argon2.h>
#endif
