/// The small text blob git stores for each dataset file, in place of its bytes:
///
///     tessera-object 1
///     sha256 3f1c...
///     size 412
///     image png 28 28 1
///     split train
///     label Coat
///
/// Lines after `size` are optional. The format reads well in `git show` and parses strictly.
enum Pointer {
  static let header = "tessera-object 1"

  static func render(_ file: TrackedFile) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(160)
    out.append(contentsOf: "\(header)\nsha256 ".utf8)
    file.object.appendHex(to: &out)
    out.append(contentsOf: "\nsize ".utf8)
    GitPackBuilder.appendDecimal(&out, Int(file.size))
    out.append(0x0A)
    if let image = file.image {
      out.append(contentsOf: "image ".utf8)
      out.append(contentsOf: image.format.utf8)
      for n in [image.width, image.height, image.channels] {
        out.append(0x20)
        GitPackBuilder.appendDecimal(&out, n)
      }
      out.append(0x0A)
    }
    if let split = file.split {
      out.append(contentsOf: "split ".utf8)
      out.append(contentsOf: split.utf8)
      out.append(0x0A)
    }
    if let label = file.label {
      out.append(contentsOf: "label ".utf8)
      out.append(contentsOf: label.utf8)
      out.append(0x0A)
    }
    return out
  }

  static func parse(_ bytes: [UInt8], path: String) throws -> TrackedFile {
    func bad(_ why: String) -> StoreError { StoreError(.badPointer, "\(path): bad pointer in version: \(why)") }
    guard bytes.count < 4096, let text = String(validating: bytes, as: UTF8.self) else { throw bad("not a pointer") }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    guard lines.first == Substring(header) else { throw bad("missing '\(header)' header") }
    var object: ObjectID?, size: Int64?, image: ImageInfo?, split: String?, label: String?
    for line in lines.dropFirst() {
      guard let space = line.firstIndex(of: " ") else { throw bad("malformed line '\(line)'") }
      let key = line[..<space], value = line[line.index(after: space)...]
      switch key {
      case "sha256":
        guard let id = ObjectID(hex: value), value == Substring(id.hex) else { throw bad("invalid sha256 '\(value)'") }
        object = id
      case "size":
        guard let n = Int64(value), n >= 0 else { throw bad("invalid size '\(value)'") }
        size = n
      case "image":
        let f = value.split(separator: " ")
        guard f.count == 4, let w = Int(f[1]), let h = Int(f[2]), let c = Int(f[3]), w >= 0, h >= 0, c > 0 else {
          throw bad("invalid image line '\(value)'")
        }
        image = ImageInfo(format: String(f[0]), width: w, height: h, channels: c)
      case "split": split = String(value)
      case "label": label = String(value)
      default: throw bad("unknown field '\(key)'")
      }
    }
    guard let object, let size else { throw bad("sha256 and size are required") }
    return TrackedFile(path: path, object: object, size: size, image: image, split: split, label: label)
  }
}
