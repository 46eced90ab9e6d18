#pragma once
/* C calls Swift cannot make directly: ioctl and git_libgit2_opts are variadic. */

/// Clones `src_fd`'s contents into `dst_fd` sharing extents (FICLONE, a reflink).
/// Returns 0, or -1 with errno set (EOPNOTSUPP/EXDEV/EINVAL where the filesystem cannot).
int CStoreShims_reflink(int dst_fd, int src_fd);

/// Asks libgit2 to fsync the packs, indexes and refs it writes (git_libgit2_opts is variadic: Swift cannot call it).
int CStoreShims_git_enable_fsync(int enabled);

/// Whether libgit2 re-hashes every object it reads to check it against its id (on by default).
int CStoreShims_git_strict_hash_verification(int enabled);

/// The user id of the process at the other end of a Unix socket (SO_PEERCRED needs _GNU_SOURCE's struct ucred).
/// Returns 0, or -1 with errno set.
int CStoreShims_peer_uid(int socket_fd, unsigned int *uid);

/// glibc's POSIX_SPAWN_SETSID flag (declared only under _GNU_SOURCE): the spawned process starts its own session.
short CStoreShims_spawn_setsid_flag(void);

#include <spawn.h>
/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34, _GNU_SOURCE): the spawned process closes every
/// descriptor from `from` up, including ones its parent inherited without close-on-exec (a monitor started by
/// a command must not hold the pipes or sockets its caller waits on).
int CStoreShims_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

/// statfs(2)'s f_type for `path` (the filesystem's magic number), or -1 with errno set.
long CStoreShims_filesystem_type(const char *path);

/// glibc's O_NOATIME open flag (declared only under _GNU_SOURCE): reading a file leaves its access time alone.
int CStoreShims_open_noatime_flag(void);
