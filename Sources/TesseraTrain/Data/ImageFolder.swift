import Foundation

/// A plain folder of images laid out `root/<split>/<class>/<file>` (PNG or JPEG), as
/// `tessera checkout` and the Fashion-MNIST importer write them.
public enum ImageFolder {
  static let extensions: Set<String> = ["png", "jpg", "jpeg"]

  /// The samples of one split, sorted by path. Classes are the split's subfolders in sorted
  /// order, unless `classNames` fixes them (pass the training split's classes when loading the
  /// test split, so labels mean the same in both).
  public static func load(_ root: URL, split: String, classNames: [String]? = nil) throws -> EncodedSampleSource {
    let splitURL = root.appendingPathComponent(split, isDirectory: true)
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: splitURL.path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw LoaderError.badLayout("\(splitURL.path): no such folder; expected \(root.path)/\(split)/<class>/<image files>")
    }
    let found = try fm.contentsOfDirectory(atPath: splitURL.path)
      .filter { !$0.hasPrefix(".") }
      .filter { name in
        var dir: ObjCBool = false
        return fm.fileExists(atPath: splitURL.appendingPathComponent(name).path, isDirectory: &dir) && dir.boolValue
      }
      .sorted()
    let classes = classNames ?? found
    guard !classes.isEmpty else {
      throw LoaderError.badLayout("\(splitURL.path): no class folders; expected \(split)/<class>/<image files>")
    }
    let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    var samples: [EncodedSample] = []
    for name in found {
      guard let label = index[name] else {
        throw LoaderError.badLayout("\(splitURL.appendingPathComponent(name).path): class '\(name)' is not among the training classes")
      }
      let classURL = splitURL.appendingPathComponent(name, isDirectory: true)
      let files = try fm.contentsOfDirectory(atPath: classURL.path)
        .filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }
        .sorted()
      for file in files {
        let url = classURL.appendingPathComponent(file)
        samples.append(EncodedSample(label: label, name: url.path) {
          [UInt8](try Data(contentsOf: url, options: .mappedIfSafe))
        })
      }
    }
    guard !samples.isEmpty else { throw LoaderError.emptyDataset(splitURL.path) }
    return EncodedSampleSource(samples: samples, classNames: classes)
  }
}
