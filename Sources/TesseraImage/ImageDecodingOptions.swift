/// Limits applied while decoding untrusted images.
public struct ImageDecodingOptions: Sendable, Hashable {
  /// The largest width × height accepted. Checked against the header before any pixel memory is
  /// allocated, so a 100-byte file claiming 100000 × 100000 pixels fails fast instead of asking for 10 GB.
  /// The default, 64 megapixels, is a 8192 × 8192 image (256 MB as RGBA).
  public var maxPixels: Int
  /// The most scans a progressive JPEG may have (well-formed files have about 10); 0 means no bound.
  /// Thousands of tiny scans are a known way to make a small file cost minutes of CPU.
  public var maxProgressiveScans: Int

  public static let defaultMaxPixels = 64 * 1024 * 1024

  public init(maxPixels: Int = ImageDecodingOptions.defaultMaxPixels, maxProgressiveScans: Int = 500) {
    precondition(maxPixels >= 0 && maxProgressiveScans >= 0, "limits must not be negative")
    self.maxPixels = maxPixels
    self.maxProgressiveScans = maxProgressiveScans
  }
}
