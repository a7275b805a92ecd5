/* The ruler for hpp's `bandwidth`: read (8 accumulators) and triad
 * (a = b + s*c) on per-thread arrays, all threads released together by a
 * barrier, GB/s counting reads + writes as STREAM does, median of 7 runs.
 * Build: gcc -O3 -march=native -pthread -o bandwidth bandwidth.c
 * Run:   ./bandwidth THREADS SIZE_BYTES_PER_THREAD -> "kernel threads size gb_per_s" */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int T;
static size_t SZ;
static pthread_barrier_t bar;
static double samples[2][7];
static volatile double sink;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double read_sum(const double *a, size_t n) {
  double acc[8] = {0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) acc[k] += a[i + k];
  double s = 0;
  for (; i < n; i++) s += a[i];
  for (int k = 0; k < 8; k++) s += acc[k];
  return s;
}
static void triad(double *restrict a, const double *restrict b, const double *restrict c, size_t n) {
  for (size_t i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
}

static void *worker(void *arg) {
  long id = (long)arg;
  for (int kern = 0; kern < 2; kern++) {
    int arrays = kern == 0 ? 1 : 3;
    size_t n = SZ / 8 / arrays;
    double *a = malloc(n * 8), *b = malloc(n * 8), *c = malloc(n * 8);
    for (size_t i = 0; i < n; i++) a[i] = i % 8, b[i] = i % 16, c[i] = i % 4;
    double s = 0;
    pthread_barrier_wait(&bar);
    double t0 = now();
    if (kern == 0) s += read_sum(a, n); else triad(a, b, c, n);
    pthread_barrier_wait(&bar);
    static long reps;
    if (id == 0) { double one = now() - t0; reps = (long)(0.02 / (one > 1e-9 ? one : 1e-9)) + 1; }
    pthread_barrier_wait(&bar);
    for (int r = 0; r < 7; r++) {
      pthread_barrier_wait(&bar);
      double t = now();
      for (long k = 0; k < reps; k++) {
        if (kern == 0) s += read_sum(a, n); else triad(a, b, c, n);
      }
      pthread_barrier_wait(&bar);
      if (id == 0) samples[kern][r] = (double)n * arrays * 8 * T * reps / (now() - t) / 1e9;
    }
    sink += s + a[n - 1];
    free(a); free(b); free(c);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: bandwidth THREADS SIZE_BYTES\n"); return 2; }
  T = atoi(argv[1]);
  SZ = strtoull(argv[2], 0, 10);
  pthread_barrier_init(&bar, 0, T);
  pthread_t th[64];
  for (long i = 0; i < T; i++) pthread_create(&th[i], 0, worker, (void *)i);
  for (int i = 0; i < T; i++) pthread_join(th[i], 0);
  const char *names[2] = {"read", "triad"};
  for (int k = 0; k < 2; k++) {
    qsort(samples[k], 7, sizeof(double), cmp);
    printf("%s %d %zu %.3f\n", names[k], T, SZ, samples[k][3]);
  }
  return 0;
}
