#pragma once
/* C calls Swift cannot make directly: ioctl and git_libgit2_opts are variadic. */

/// Clones `src_fd`'s contents into `dst_fd` sharing extents (FICLONE, a reflink).
/// Returns 0, or -1 with errno set (EOPNOTSUPP/EXDEV/EINVAL where the filesystem cannot).
int CStoreShims_reflink(int dst_fd, int src_fd);

/// Asks libgit2 to fsync the packs, indexes and refs it writes (git_libgit2_opts is variadic: Swift cannot call it).
int CStoreShims_git_enable_fsync(int enabled);
