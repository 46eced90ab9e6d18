import TesseraStore

/// Samples of one split of a pinned store version, read through the store's object files.
public enum StoreSamples {
  /// The entries of `revision` whose split is `split` and that carry a label, sorted by path.
  /// Classes are the sorted labels of the split unless `classNames` fixes them.
  public static func load(_ store: Store, revision: String, split: String,
                          classNames: [String]? = nil) throws -> EncodedSampleSource {
    let entries = try store.entries(revision: revision).filter { $0.split == split && $0.label != nil }
    guard !entries.isEmpty else {
      throw LoaderError.emptyDataset("version \(revision): split '\(split)' (files must sit under \(split)/<class>/)")
    }
    let classes = classNames ?? Array(Set(entries.compactMap(\.label))).sorted()
    let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    var samples: [EncodedSample] = []
    samples.reserveCapacity(entries.count)
    for entry in entries.sorted(by: { $0.path < $1.path }) {
      guard let label = entry.label.flatMap({ index[$0] }) else {
        throw LoaderError.badLayout("\(entry.path): class '\(entry.label ?? "")' is not among the training classes")
      }
      let id = entry.object
      samples.append(EncodedSample(label: label, name: "\(entry.path) (object \(id.hex.prefix(12)))") {
        try store.readObject(id)
      })
    }
    return EncodedSampleSource(samples: samples, classNames: classes)
  }
}
