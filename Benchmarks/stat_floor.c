// The floor for a no-op status without a file monitor: `stat` every regular file under a folder, relative to
// its folder's descriptor (as Tessera and git do), on N threads (default 2), a folder at a time. Nothing that
// must learn whether any file changed can do less on Linux, so its wall time bounds a no-op status from below.
// The folders are listed first and not timed; the stat pass runs 5 times and the median is printed.
//
//   gcc -O2 -pthread -o stat_floor Benchmarks/stat_floor.c
//   ./stat_floor DIR [THREADS]
//
// Prints "<files> files in <folders> folders: median <ms> ms over 5 passes on <threads> threads (<ns> ns a file)".
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct folder {
  char *path;
  char **names;
  size_t count, capacity;
};

static struct folder *folders;
static size_t folder_count, folder_capacity;
static atomic_size_t next_folder;
static atomic_ullong checksum;  // sizes summed, so the calls cannot be dropped

static void list(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) { perror(path); exit(1); }
  if (folder_count == folder_capacity) {
    folder_capacity = folder_capacity ? folder_capacity * 2 : 64;
    folders = realloc(folders, folder_capacity * sizeof *folders);
  }
  size_t me = folder_count++;
  folders[me] = (struct folder){strdup(path), NULL, 0, 0};
  char **subfolders = NULL;
  size_t sub_count = 0;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
    if (!strcmp(entry->d_name, ".tessera") || !strcmp(entry->d_name, ".git")) continue;
    if (entry->d_type == DT_DIR) {
      subfolders = realloc(subfolders, (sub_count + 1) * sizeof *subfolders);
      if (asprintf(&subfolders[sub_count++], "%s/%s", path, entry->d_name) < 0) exit(1);
    } else if (entry->d_type == DT_REG) {
      struct folder *f = &folders[me];
      if (f->count == f->capacity) {
        f->capacity = f->capacity ? f->capacity * 2 : 256;
        f->names = realloc(f->names, f->capacity * sizeof *f->names);
      }
      f->names[f->count++] = strdup(entry->d_name);
    }
  }
  closedir(dir);
  for (size_t i = 0; i < sub_count; i++) { list(subfolders[i]); free(subfolders[i]); }
  free(subfolders);
}

static void *stat_folders(void *unused) {
  (void)unused;
  for (;;) {
    size_t i = atomic_fetch_add(&next_folder, 1);
    if (i >= folder_count) return NULL;
    int fd = open(folders[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) { perror(folders[i].path); exit(1); }
    unsigned long long sum = 0;
    for (size_t k = 0; k < folders[i].count; k++) {
      struct stat st;
      if (fstatat(fd, folders[i].names[k], &st, AT_SYMLINK_NOFOLLOW) != 0) { perror(folders[i].names[k]); exit(1); }
      sum += (unsigned long long)st.st_size;
    }
    close(fd);
    atomic_fetch_add(&checksum, sum);
  }
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s DIR [THREADS]\n", argv[0]); return 2; }
  int threads = argc > 2 ? atoi(argv[2]) : 2;
  if (threads < 1 || threads > 256) { fprintf(stderr, "THREADS must be 1-256\n"); return 2; }
  list(argv[1]);
  size_t files = 0;
  for (size_t i = 0; i < folder_count; i++) files += folders[i].count;
  double times[5];
  pthread_t workers[256];
  for (int pass = 0; pass < 5; pass++) {
    atomic_store(&next_folder, 0);
    double start = now_ms();
    for (int t = 0; t < threads; t++) pthread_create(&workers[t], NULL, stat_folders, NULL);
    for (int t = 0; t < threads; t++) pthread_join(workers[t], NULL);
    times[pass] = now_ms() - start;
  }
  qsort(times, 5, sizeof times[0], by_value);
  printf("%zu files in %zu folders: median %.1f ms over 5 passes on %d threads (%.0f ns a file; checksum %llu)\n",
         files, folder_count, times[2], threads, times[2] * 1e6 / (double)(files ? files : 1),
         (unsigned long long)atomic_load(&checksum));
  return 0;
}
