#ifndef ZKINFER_CPREFETCH_H
#define ZKINFER_CPREFETCH_H

/// Hints the CPU to bring the cache line holding `address` into the caches for a read (a hint only: it never faults,
/// whatever the address, and changes no result). Swift has no prefetch primitive; the MSM's gather of points in bucket
/// order (random indices into arrays of several MiB) calls this a few points ahead.
static inline void zk_prefetch_read(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
