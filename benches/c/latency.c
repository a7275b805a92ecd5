/* The ruler for hpp's `latency`: the same method in C (one random cycle of
 * 64-byte nodes built by Sattolo's algorithm with SplitMix64, chased by
 * pointer), so the Rust kernel can be checked against good C side by side.
 * Build: gcc -O3 -march=native -o latency latency.c
 * Run:   ./latency SIZE_BYTES...   -> "size_bytes ns_per_load" lines */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NODE 64
#define STEPS (1 << 14)

static uint64_t state;
static uint64_t next_u64(void) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static size_t below(size_t n) { return (size_t)(((__uint128_t)next_u64() * n) >> 64); }
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  for (int a = 1; a < argc; a++) {
    size_t bytes = strtoull(argv[a], 0, 10), n = bytes / NODE;
    if (n < 1) n = 1;
    void **buf = aligned_alloc(64, n * NODE);
    size_t *order = malloc(n * sizeof *order);
    state = 0x5EED ^ bytes;
    for (size_t i = 0; i < n; i++) order[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
      size_t j = below(i), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    size_t w = NODE / sizeof(void *);
    for (size_t k = 0; k < n; k++) buf[order[k] * w] = &buf[order[(k + 1) % n] * w];
    void **p = buf;
    /* Grow the loop count until a run lasts 20 ms, then take the median of 7. */
    long loops = 1;
    for (;;) {
      double t0 = now();
      for (long l = 0; l < loops; l++)
        for (int s = 0; s < STEPS; s++) p = (void **)*p;
      if (now() - t0 >= 0.02) break;
      loops *= 2;
    }
    double runs[7];
    for (int r = 0; r < 7; r++) {
      double t0 = now();
      for (long l = 0; l < loops; l++)
        for (int s = 0; s < STEPS; s++) p = (void **)*p;
      runs[r] = (now() - t0) / ((double)loops * STEPS) * 1e9;
    }
    qsort(runs, 7, sizeof *runs, cmp);
    printf("%zu %.4f %p\n", bytes, runs[3], (void *)p);
    free(buf);
    free(order);
  }
  return 0;
}
