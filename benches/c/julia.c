/* The ruler for hpp's `julia` scalar loop: the book's 1000 x 1000 grid,
 * 300 iterations, |z|^2 < 4 with the counter tested first, one thread; the
 * grid built by repeated addition as the book builds it. Timed as the
 * median of 7 runs. -ffp-contract=off keeps the arithmetic the same as
 * hpp's (no fused multiply-adds), so the sums agree.
 * Build: gcc -O3 -march=native -ffp-contract=off -o julia julia.c
 * Run:   ./julia   -> "cheap_first_s SECONDS SUM" */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#define W 1000
#define MAX_ITER 300
static const double CR = -0.62772, CI = -0.42193;

int main(void) {
  static double xs[W + 2], ys[W + 2];
  int nx = 0, ny = 0;
  double step = (1.8 - -1.8) / W;
  for (double x = -1.8; x < 1.8; x += step) xs[nx++] = x;
  for (double y = 1.8; y > -1.8; y += -step) ys[ny++] = y;
  static uint32_t out[(W + 2) * (W + 2)];
  double t[7];
  uint64_t sum = 0;
  for (int r = 0; r < 7; r++) {
    double t0 = now();
    for (int j = 0; j < ny; j++)
      for (int i = 0; i < nx; i++) {
        double zr = xs[i], zi = ys[j];
        uint32_t n = 0;
        while (n < MAX_ITER && zr * zr + zi * zi < 4.0) {
          double re = zr * zr - zi * zi, im = zr * zi + zi * zr;
          zr = re + CR;
          zi = im + CI;
          n++;
        }
        out[j * nx + i] = n;
      }
    t[r] = now() - t0;
    sum = 0;
    for (int k = 0; k < nx * ny; k++) sum += out[k];
  }
  qsort(t, 7, sizeof t[0], cmp);
  printf("cheap_first_s %.6f %llu\n", t[3], (unsigned long long)sum);
  return 0;
}
