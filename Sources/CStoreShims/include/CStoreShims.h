#pragma once
/* Linux calls Swift cannot reach through Glibc: syncfs needs _GNU_SOURCE, and ioctl is variadic. */

/// syncfs(2): flush the whole filesystem holding `fd`. Returns 0, or -1 with errno set.
int CStoreShims_syncfs(int fd);

/// Clones `src_fd`'s contents into `dst_fd` sharing extents (FICLONE, a reflink).
/// Returns 0, or -1 with errno set (EOPNOTSUPP/EXDEV/EINVAL where the filesystem cannot).
int CStoreShims_reflink(int dst_fd, int src_fd);
