/// A PNG or JPEG could not be decoded or encoded: which library function failed and what it said.
///
/// Corrupt, truncated and hostile inputs always end here, never in a crash. `description` is one line,
/// e.g. `photo.jpg: jpeg_read_scanlines: Premature end of JPEG file`.
public struct ImageCodecError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What kind of failure; compare with the statics (`error.code == .pixelLimitExceeded`).
  public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// libpng, libjpeg or zlib rejected the data (`CCodecShims_library_error`).
    public static let libraryError = Code(rawValue: 1)
    /// width × height is above `ImageDecodingOptions.maxPixels`; nothing was allocated for the
    /// pixels (`CCodecShims_pixel_limit_exceeded`).
    public static let pixelLimitExceeded = Code(rawValue: 2)
    /// Valid data in a layout Tessera does not handle (`CCodecShims_unsupported`).
    public static let unsupported = Code(rawValue: 3)
    /// An allocation failed (`CCodecShims_out_of_memory`).
    public static let outOfMemory = Code(rawValue: 4)
    /// The caller's arguments were wrong: no pixels, channels, quality (`CCodecShims_invalid_argument`).
    public static let invalidArgument = Code(rawValue: 5)
    /// The bytes start with neither a PNG nor a JPEG signature.
    public static let unknownFormat = Code(rawValue: 100)

    /// The static's name, e.g. "pixelLimitExceeded".
    public var description: String {
      switch self {
      case .libraryError: "libraryError"
      case .pixelLimitExceeded: "pixelLimitExceeded"
      case .unsupported: "unsupported"
      case .outOfMemory: "outOfMemory"
      case .invalidArgument: "invalidArgument"
      case .unknownFormat: "unknownFormat"
      default: "code \(rawValue)"
      }
    }
  }

  public var code: Code
  /// The format being decoded or encoded, when known.
  public var format: ImageFormat?
  /// The C function that failed ("png_read_image", "jpeg_read_header", ...) or the Tessera function
  /// that refused the input ("CCodecShims_decode_png" for limits, "decodeImage" for unknown formats).
  public var function: String
  /// The library's own message.
  public var message: String
  /// The file, when the bytes came from one.
  public var path: String?

  public init(code: Code, format: ImageFormat?, function: String, message: String, path: String? = nil) {
    self.code = code
    self.format = format
    self.function = function
    self.message = message
    self.path = path
  }

  public var description: String {
    let location = path.map { "\($0): " } ?? ""
    return "\(location)\(function): \(message)"
  }
}
