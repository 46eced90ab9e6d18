import Foundation

/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 70,000 28 x 28 grey images of clothing in 10
/// classes, distributed as four gzip-compressed IDX files (Debian: `dataset-fashion-mnist`).
public enum FashionMNIST {
  /// Folder names of the ten classes, by label 0...9. The published names ("T-shirt/top", "Ankle boot")
  /// hold a slash and a space; these keep the words and swap the slash and space for underscores, so
  /// every name is a plain filesystem-safe token.
  public static let classNames = [
    "T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot",
  ]

  /// Where Debian's `dataset-fashion-mnist` package puts the files.
  public static let defaultSourcePath = "/usr/share/datasets/fashion-mnist"

  /// The IDX files of each split, without the `.gz` extension (which is optional on disk).
  public static let files: [(split: String, images: String, labels: String)] = [
    ("train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    ("test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
  ]

  /// One split's images and labels, checked against each other.
  public struct Split: Sendable, Hashable {
    /// "train" or "test".
    public var name: String
    public var rows: Int
    public var columns: Int
    /// `count * rows * columns` grey samples, image after image.
    public var images: [UInt8]
    /// One label 0...9 per image.
    public var labels: [UInt8]

    public var count: Int { labels.count }

    /// Image `index` as a 1-channel `Image`.
    public func image(at index: Int) -> Image {
      let size = rows * columns
      return Image(width: columns, height: rows, channels: 1, pixels: Array(images[(index * size)..<((index + 1) * size)]))
    }
  }

  /// Reads and validates the train and test splits from `directory` (`<stem>.gz`, or `<stem>` uncompressed).
  ///
  /// - Throws: `DatasetImportError` naming the file: missing, not gzip, wrong IDX magic, wrong rank,
  ///   data shorter or longer than its header, image and label counts that differ, labels above 9.
  public static func load(from directory: URL) throws(DatasetImportError) -> [Split] {
    var splits: [Split] = []
    for (name, imagesStem, labelsStem) in files {
      let imagesURL = try locate(imagesStem, in: directory)
      let labelsURL = try locate(labelsStem, in: directory)
      let images = try IDXFile.read(at: imagesURL)
      let labels = try IDXFile.read(at: labelsURL)
      guard images.dimensions.count == 3, images.dimensions[1] > 0, images.dimensions[2] > 0 else {
        throw DatasetImportError(.corruptInput, path: imagesURL.path,
          "has dimensions \(images.dimensions) but an image file has 3 (count, rows, columns)")
      }
      guard labels.dimensions.count == 1 else {
        throw DatasetImportError(.corruptInput, path: labelsURL.path,
          "has dimensions \(labels.dimensions) but a label file has 1 (count)")
      }
      guard images.dimensions[0] == labels.dimensions[0] else {
        throw DatasetImportError(.inconsistentInputs, path: labelsURL.path,
          "has \(labels.dimensions[0]) labels but \(imagesURL.lastPathComponent) has \(images.dimensions[0]) images")
      }
      if let bad = labels.data.firstIndex(where: { Int($0) >= classNames.count }) {
        throw DatasetImportError(.corruptInput, path: labelsURL.path,
          "label \(labels.data[bad]) at index \(bad) is not a class 0...\(classNames.count - 1)")
      }
      splits.append(Split(name: name, rows: images.dimensions[1], columns: images.dimensions[2],
                          images: images.data, labels: labels.data))
    }
    return splits
  }

  private static func locate(_ stem: String, in directory: URL) throws(DatasetImportError) -> URL {
    for candidate in [stem + ".gz", stem] {
      let url = directory.appendingPathComponent(candidate)
      if FileManager.default.fileExists(atPath: url.path) { return url }
    }
    throw DatasetImportError(.missingInput, path: directory.appendingPathComponent(stem + ".gz").path,
                             "not found (nor \(stem) uncompressed)")
  }
}
