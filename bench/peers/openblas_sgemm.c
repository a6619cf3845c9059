/* OpenBLAS peer of `./kiln bench gemm`: C[n x n] = A[n x n] B[n x n], row-major single precision,
 * timed for about a second per size after a warm-up; prints one JSON line per size.
 * Threads: OPENBLAS_NUM_THREADS (the launcher sets 2). Built by bench/peers/peer.sh. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    char *sizes = argc > 1 ? argv[1] : "1024";
    for (char *tok = sizes; *tok;) {
        int n = (int) strtol(tok, &tok, 10);
        if (*tok == ',') tok++;
        float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
        for (long i = 0; i < (long) n * n; i++) {
            a[i] = (float) rand() / RAND_MAX - 0.5f;
            b[i] = (float) rand() / RAND_MAX - 0.5f;
        }
        double warm_end = now() + seconds / 2;
        do cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        while (now() < warm_end);
        int calls = 0;
        double t0 = now(), t;
        do {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
            calls++;
            t = now();
        } while (t - t0 < seconds || calls < 2);
        printf("{\"bench\":\"gemm\",\"framework\":\"openblas\",\"config\":\"%s\",\"threads\":%d,\"m\":%d,\"n\":%d,\"k\":%d,"
               "\"gflops\":%.2f,\"ops_per_s\":%.3f}\n",
               openblas_get_config(), openblas_get_num_threads(), n, n, n, 2.0 * n * n * n * calls / (t - t0) / 1e9, calls / (t - t0));
        fflush(stdout);
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
