#if canImport(Glibc)
import Glibc
#endif

/// A regular file found under the dataset root.
struct ScannedFile: Sendable {
  var path: String  // relative, `/`-separated
  var stat: FileStat
}

/// Walks folders with readdir + lstat (FileManager's enumerator is several times slower on large trees).
/// Skips the store's own folder, `.git`, and symbolic links, which it reports instead of following.
struct FileScanner {
  let root: String
  var skippedLinks: [String] = []
  /// Temporary files of a checkout that was killed before renaming them into place.
  var leftoverTemporaries: [String] = []
  static let temporaryPrefix = ".tessera-tmp-"

  init(root: String) { self.root = root }

  static func fileStat(_ st: stat) -> FileStat {
    FileStat(size: Int64(st.st_size),
             mtimeNs: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
             ctimeNs: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec),
             inode: UInt64(st.st_ino))
  }

  /// Every regular file at or below `relative` ("" for the whole root).
  mutating func scan(_ relative: String) throws -> [ScannedFile] {
    var out: [ScannedFile] = []
    let full = relative.isEmpty ? root : root + "/" + relative
    var st = stat()
    guard lstat(full, &st) == 0 else { throw StoreError.fromErrno(errno, "lstat", relative.isEmpty ? "." : relative) }
    if (st.st_mode & S_IFMT) == S_IFREG {
      out.append(ScannedFile(path: relative, stat: Self.fileStat(st)))
    } else if (st.st_mode & S_IFMT) == S_IFDIR {
      try walk(relative, into: &out)
    } else if (st.st_mode & S_IFMT) == S_IFLNK {
      skippedLinks.append(relative)
    }
    return out
  }

  private mutating func walk(_ relative: String, into out: inout [ScannedFile]) throws {
    let full = relative.isEmpty ? root : root + "/" + relative
    let dirfd = Glibc.open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
    guard dirfd >= 0 else { throw StoreError.fromErrno(errno, "open", relative.isEmpty ? "." : relative) }
    guard let dir = fdopendir(dirfd) else {
      close(dirfd)
      throw StoreError.fromErrno(errno, "fdopendir", relative)
    }
    defer { closedir(dir) }
    var subfolders: [String] = []
    var names: [(String, UInt8)] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name == "." || name == ".." { continue }
      names.append((name, entry.pointee.d_type))
    }
    names.sort { $0.0 < $1.0 }
    for (name, type) in names {
      if relative.isEmpty && (name == ".tessera" || name == ".git") { continue }
      let child = relative.isEmpty ? name : relative + "/" + name
      if name.hasPrefix(Self.temporaryPrefix) {
        leftoverTemporaries.append(child)
        continue
      }
      if type == UInt8(DT_DIR) {
        subfolders.append(child)
        continue
      }
      // stat relative to the open folder: no path lookup from the root for each of 70,000 files.
      var st = stat()
      guard fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
        if errno == ENOENT { continue }  // vanished between readdir and stat: simply not there
        throw StoreError.fromErrno(errno, "lstat", child)
      }
      switch st.st_mode & S_IFMT {
      case S_IFREG: out.append(ScannedFile(path: child, stat: Self.fileStat(st)))
      case S_IFDIR: subfolders.append(child)
      case S_IFLNK: skippedLinks.append(child)
      default: break
      }
    }
    for folder in subfolders { try walk(folder, into: &out) }
  }
}
