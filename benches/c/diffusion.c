/* The ruler for hpp's `diffusion` fused pass: one step of the book's 2D
 * diffusion (D = 1, dt = 0.1, periodic edges) in a single pass over an
 * n x n f64 grid into a second grid, the grids swapped after each step,
 * timed the way hpp times it (the median of 7 runs of >= 20 ms of steps).
 * Build: gcc -O3 -march=native -o diffusion diffusion.c
 * Run:   ./diffusion 512 2048   -> "n seconds_per_step sum" per size */
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

static void step(const double *restrict g, double *restrict out, long n) {
  const double k = 1.0 * 0.1;
  for (long i = 0; i < n; i++) {
    const double *up = g + ((i + n - 1) % n) * n, *row = g + i * n,
                 *down = g + ((i + 1) % n) * n;
    double *o = out + i * n;
    o[0] = row[0] + k * (up[0] + down[0] + row[n - 1] + row[1 % n] - 4.0 * row[0]);
    for (long j = 1; j < n - 1; j++)
      o[j] = row[j] + k * (up[j] + down[j] + row[j - 1] + row[j + 1] - 4.0 * row[j]);
    if (n > 1)
      o[n - 1] = row[n - 1] + k * (up[n - 1] + down[n - 1] + row[n - 2] + row[0] - 4.0 * row[n - 1]);
  }
}

int main(int argc, char **argv) {
  for (int a = 1; a < argc; a++) {
    long n = atol(argv[a]);
    double *g = calloc(n * n, sizeof *g), *h = calloc(n * n, sizeof *h);
    if (!g || !h) return 1;
    for (long i = (long)(n * 0.4); i < (long)(n * 0.5); i++)
      for (long j = (long)(n * 0.4); j < (long)(n * 0.5); j++) g[i * n + j] = 0.005;
    double t0 = now();
    long steps = 0;
    while (now() - t0 < 0.02) { step(g, h, n); double *t = g; g = h; h = t; steps++; }
    double runs[7];
    for (int r = 0; r < 7; r++) {
      t0 = now();
      for (long s = 0; s < steps; s++) { step(g, h, n); double *t = g; g = h; h = t; }
      runs[r] = (now() - t0) / steps;
    }
    qsort(runs, 7, sizeof runs[0], cmp);
    double sum = 0;
    for (long i = 0; i < n * n; i++) sum += g[i];
    printf("%ld %.9g %.9g\n", n, runs[3], sum);
    free(g);
    free(h);
  }
  return 0;
}
