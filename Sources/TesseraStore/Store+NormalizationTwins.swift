extension Store {
  /// Swift compares strings by canonical equivalence: "é" as one code point (NFC, as Linux tools write it) and as
  /// "e" and a combining accent (NFD, as macOS writes it) are one dictionary key, while the file system holds two
  /// files. Tessera keys paths by `String`, so such twins are refused where they would enter (`add`) or be written
  /// (`checkout`), naming both, before anything changes. Only paths with non-ASCII bytes can be twins, so the common
  /// case costs a scan of the bytes.
  static func refuseNormalizationTwins(_ paths: some Sequence<String>, where place: String) throws {
    var seen: [String: String] = [:]
    for path in paths where path.utf8.contains(where: { $0 >= 0x80 }) {
      if let other = seen[path], !other.utf8.elementsEqual(path.utf8) {
        throw StoreError(.badInput, "\(escaped(other)) and \(escaped(path)) \(place) are the same name spelled in two "
          + "Unicode normalizations (NFC and NFD); Tessera cannot keep both: rename one")
      }
      seen[path] = path
    }
  }

  /// `files` by path, twins refused (a dictionary of them would trap on the "duplicate" key).
  static func byPath(_ files: [TrackedFile], where place: String) throws -> [String: TrackedFile] {
    try refuseNormalizationTwins(files.lazy.map(\.path), where: place)
    return Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// `path` with every non-ASCII scalar written as \u{...}, so two spellings that print alike read apart.
  static func escaped(_ path: String) -> String {
    path.unicodeScalars.map { $0.isASCII ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
  }
}
