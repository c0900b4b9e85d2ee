/*
 * vector_clones.h - hot loops built twice: for x86-64 processors with AVX2
 * (the x86-64-v3 level: 256-bit vectors, unsigned 16-bit min and max) and
 * for any x86-64, the dynamic loader choosing one when the program starts
 * (GCC's target_clones). The per-frame loops run about twice as fast on the
 * former while the program still runs on the oldest x86-64. Other
 * compilers and processors get the plain function, and so do
 * ThreadSanitizer builds (its runtime is not ready when the loader runs
 * the functions that choose a clone).
 */
#ifndef MTABLE_VECTOR_CLONES_H
#define MTABLE_VECTOR_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) &&       \
    !defined(__SANITIZE_THREAD__)
/* Marks a function to be built for x86-64-v3 and for plain x86-64. */
#define VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
/* Marks a function to be built for x86-64-v3 and for plain x86-64. */
#define VECTOR_CLONES
#endif

#endif
