#define _GNU_SOURCE
#include "CStoreShims.h"
#include <errno.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <spawn.h>
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

int CStoreShims_git_strict_hash_verification(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

int CStoreShims_peer_uid(int socket_fd, unsigned int *uid) {
  struct ucred credentials;
  socklen_t size = sizeof credentials;
  if (getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) return -1;
  *uid = credentials.uid;
  return 0;
}

short CStoreShims_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

int CStoreShims_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
  return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

#include <sys/vfs.h>
long CStoreShims_filesystem_type(const char *path) {
  struct statfs fs;
  if (statfs(path, &fs) != 0) return -1;
  return (long)fs.f_type;
}

#include <fcntl.h>

int CStoreShims_open_noatime_flag(void) {
#ifdef O_NOATIME
  return O_NOATIME;
#else
  return 0;
#endif
}
