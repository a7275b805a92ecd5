/* The ruler for hpp's `flops` and `clock`: twelve independent 256-bit FMA
 * chains (f64 and f32) on one thread, and a dependent integer-add chain for
 * the clock, timed the same way (7 runs of >= 20 ms: the best for the FMA
 * peaks, the median for the clock).
 * Build: gcc -O3 -march=native -o flops flops.c
 * Run:   ./flops   -> "f64_256 gflops", "f32_256 gflops", on AVX-512 builds
 *         "f64_512 gflops", "f32_512 gflops", then "clock ghz" */
#include <immintrin.h>
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
#define ROUNDS 4096

static double f64_kernel(void) {
  __m256d a[12], one = _mm256_set1_pd(1.0);
  for (int k = 0; k < 12; k++) a[k] = _mm256_setzero_pd();
  for (int r = 0; r < ROUNDS; r++)
    for (int s = 0; s < 4; s++)
      for (int k = 0; k < 12; k++) a[k] = _mm256_fmadd_pd(a[k], one, one);
  double out[4], sum = 0;
  for (int k = 0; k < 12; k++) { _mm256_storeu_pd(out, a[k]); sum += out[0] + out[1] + out[2] + out[3]; }
  return sum;
}
static double f32_kernel(void) {
  __m256 a[12], one = _mm256_set1_ps(1.0f);
  for (int k = 0; k < 12; k++) a[k] = _mm256_setzero_ps();
  for (int r = 0; r < ROUNDS; r++)
    for (int s = 0; s < 4; s++)
      for (int k = 0; k < 12; k++) a[k] = _mm256_fmadd_ps(a[k], one, one);
  float out[8]; double sum = 0;
  for (int k = 0; k < 12; k++) { _mm256_storeu_ps(out, a[k]); for (int i = 0; i < 8; i++) sum += out[i]; }
  return sum;
}
#ifdef __AVX512F__
static double f64_kernel512(void) {
  __m512d a[12], one = _mm512_set1_pd(1.0);
  for (int k = 0; k < 12; k++) a[k] = _mm512_setzero_pd();
  for (int r = 0; r < ROUNDS; r++)
    for (int s = 0; s < 4; s++)
      for (int k = 0; k < 12; k++) a[k] = _mm512_fmadd_pd(a[k], one, one);
  double sum = 0;
  for (int k = 0; k < 12; k++) sum += _mm512_reduce_add_pd(a[k]);
  return sum;
}
static double f32_kernel512(void) {
  __m512 a[12], one = _mm512_set1_ps(1.0f);
  for (int k = 0; k < 12; k++) a[k] = _mm512_setzero_ps();
  for (int r = 0; r < ROUNDS; r++)
    for (int s = 0; s < 4; s++)
      for (int k = 0; k < 12; k++) a[k] = _mm512_fmadd_ps(a[k], one, one);
  double sum = 0;
  for (int k = 0; k < 12; k++) sum += _mm512_reduce_add_ps(a[k]);
  return sum;
}
#endif
/* The addend is a register, as in hpp: newer Intel cores fold chains of
 * immediate adds at rename and would run them faster than the clock. */
static double adds(void) {
  uint64_t x = 0, one = 1;
  __asm__ volatile("" : "+r"(one));
  for (int i = 0; i < (1 << 13); i++)
    __asm__ volatile("add %1, %0\n add %1, %0\n add %1, %0\n add %1, %0\n"
                     "add %1, %0\n add %1, %0\n add %1, %0\n add %1, %0\n" : "+r"(x) : "r"(one));
  return (double)x;
}
/* best: the fastest of the 7 runs (peaks, as hpp's flops reports them);
 * otherwise the median (the clock). */
static double timed(double (*f)(void), double work, int best) {
  volatile double sink = 0;
  long calls = 1;
  for (;;) {
    double t0 = now();
    for (long c = 0; c < calls; c++) sink += f();
    if (now() - t0 >= 0.02) break;
    calls *= 2;
  }
  double runs[7];
  for (int r = 0; r < 7; r++) {
    double t0 = now();
    for (long c = 0; c < calls; c++) sink += f();
    runs[r] = work * calls / (now() - t0) / 1e9;
  }
  qsort(runs, 7, sizeof *runs, cmp);
  return best ? runs[6] : runs[3];
}
int main(void) {
  printf("f64_256 %.3f\n", timed(f64_kernel, 2.0 * 4 * 12 * 4 * ROUNDS, 1));
  printf("f32_256 %.3f\n", timed(f32_kernel, 2.0 * 8 * 12 * 4 * ROUNDS, 1));
#ifdef __AVX512F__
  printf("f64_512 %.3f\n", timed(f64_kernel512, 2.0 * 8 * 12 * 4 * ROUNDS, 1));
  printf("f32_512 %.3f\n", timed(f32_kernel512, 2.0 * 16 * 12 * 4 * ROUNDS, 1));
#endif
  printf("clock %.4f\n", timed(adds, 8.0 * (1 << 13), 0));
  return 0;
}
