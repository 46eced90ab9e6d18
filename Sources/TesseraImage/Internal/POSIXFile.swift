#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small whole-file writes through open/write/close: the importer writes tens of thousands of
/// sub-kilobyte files, where Foundation's `Data.write` costs several times more per file.
enum POSIXFile {
  static func writeFile(_ bytes: [UInt8], toPath path: String) throws(DatasetImportError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    try check(fd, "open", path)
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 {
        let error = failure("write", path)
        _ = close(fd)
        throw error
      }
      written += n
    }
    try check(close(fd), "close", path)
  }

  /// Creates `path` and its missing parents (mode 0755); an existing directory is fine.
  static func makeDirectories(_ path: String) throws(DatasetImportError) {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      prefix += "/" + component
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw failure("mkdir", prefix) }
    }
  }

  /// Turns a C status into an error naming the function, the path and errno's text.
  static func check(_ status: Int32, _ function: String, _ path: String) throws(DatasetImportError) {
    if status < 0 { throw failure(function, path) }
  }

  private static func failure(_ function: String, _ path: String) -> DatasetImportError {
    DatasetImportError(.outputFailed, path: path, "\(function): \(String(cString: strerror(errno)))")
  }
}
