// The floor for the store benchmark: walk a folder, read every regular file and SHA-256 it, on N
// threads (default: every core). No store does less work than this for a first add, so its wall time
// is the bound Tessera's add+commit is measured against (target: within 3x).
//
//   gcc -O2 -pthread -o hash_floor Benchmarks/hash_floor.c -lcrypto
//   ./hash_floor DIR [THREADS]
//
// Prints "<files> files, <bytes> bytes, <seconds> s, digest-xor <hex>" — the XOR of all digests, so the
// compiler cannot drop the hashing and two runs over the same files can be compared.
// OpenSSL's SHA-256 uses the SHA-NI instructions where the CPU has them (coreutils' sha256sum does not).
// Files are opened with O_NOATIME, as Tessera opens them, so the floor is no slower for a trick the tool uses.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char **paths;
static size_t path_count, path_capacity;
static atomic_size_t next_index;
static atomic_ullong total_bytes;

typedef struct { unsigned char xor_digest[32]; int failed; } worker_result;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st; (void)ftw;
  if (type == FTW_D) {
    // Same skip list as the stores under test would apply to their own metadata folders.
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, ".git") == 0 || strcmp(base, ".tessera") == 0 || strcmp(base, ".dvc") == 0 ||
        strcmp(base, ".oxen") == 0) return FTW_SKIP_SUBTREE;
    return FTW_CONTINUE;
  }
  if (type != FTW_F) return FTW_CONTINUE;
  if (path_count == path_capacity) {
    path_capacity = path_capacity ? path_capacity * 2 : 1 << 16;
    paths = realloc(paths, path_capacity * sizeof *paths);
    if (!paths) { perror("realloc"); exit(1); }
  }
  paths[path_count] = strdup(path);
  if (!paths[path_count]) { perror("strdup"); exit(1); }
  path_count++;
  return FTW_CONTINUE;
}

static void *hash_files(void *arg) {
  worker_result *result = arg;
  size_t capacity = 1 << 20;
  unsigned char *buffer = malloc(capacity);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!buffer || !ctx) { fprintf(stderr, "hash_floor: out of memory\n"); result->failed = 1; return NULL; }
  for (;;) {
    size_t i = atomic_fetch_add(&next_index, 1);
    if (i >= path_count) break;
    // O_NOATIME, as Tessera (and git) open files they only read: the first read of a freshly copied file
    // otherwise writes its inode. Allowed to the file's owner only; anyone else opens it as usual.
    int fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = open(paths[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror(paths[i]); result->failed = 1; continue; }
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) { fprintf(stderr, "EVP_DigestInit_ex failed\n"); exit(1); }
    ssize_t n;
    unsigned long long bytes = 0;
    while ((n = read(fd, buffer, capacity)) > 0) {
      if (EVP_DigestUpdate(ctx, buffer, (size_t)n) != 1) { fprintf(stderr, "EVP_DigestUpdate failed\n"); exit(1); }
      bytes += (unsigned long long)n;
    }
    if (n < 0) { perror(paths[i]); result->failed = 1; }
    close(fd);
    unsigned char digest[32];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &length) != 1) { fprintf(stderr, "EVP_DigestFinal_ex failed\n"); exit(1); }
    for (int k = 0; k < 32; k++) result->xor_digest[k] ^= digest[k];
    atomic_fetch_add(&total_bytes, bytes);
  }
  EVP_MD_CTX_free(ctx);
  free(buffer);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) { fprintf(stderr, "usage: hash_floor DIR [THREADS]\n"); return 2; }
  long threads = argc == 3 ? strtol(argv[2], NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
  if (threads < 1 || threads > 256) { fprintf(stderr, "hash_floor: THREADS must be 1...256\n"); return 2; }
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  if (nftw(argv[1], collect, 64, FTW_PHYS | FTW_ACTIONRETVAL) != 0) { perror(argv[1]); return 1; }
  pthread_t ids[256];
  worker_result results[256];
  memset(results, 0, sizeof results);
  for (long t = 0; t < threads; t++)
    if (pthread_create(&ids[t], NULL, hash_files, &results[t]) != 0) { perror("pthread_create"); return 1; }
  unsigned char xor_digest[32] = {0};
  int failed = 0;
  for (long t = 0; t < threads; t++) {
    pthread_join(ids[t], NULL);
    for (int k = 0; k < 32; k++) xor_digest[k] ^= results[t].xor_digest[k];
    failed |= results[t].failed;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  printf("%zu files, %llu bytes, %.3f s, %ld threads, digest-xor ", path_count,
         (unsigned long long)atomic_load(&total_bytes), seconds, threads);
  for (int k = 0; k < 32; k++) printf("%02x", xor_digest[k]);
  printf("\n");
  return failed;
}
