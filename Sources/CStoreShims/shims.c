#define _GNU_SOURCE
#include "CStoreShims.h"
#include <errno.h>
#include <unistd.h>
#include <sys/ioctl.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

int CStoreShims_reflink(int dst_fd, int src_fd) {
#if defined(__linux__) && defined(FICLONE)
  return ioctl(dst_fd, FICLONE, src_fd);
#else
  errno = EOPNOTSUPP;
  return -1;
#endif
}

#include <git2.h>

int CStoreShims_git_enable_fsync(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}
