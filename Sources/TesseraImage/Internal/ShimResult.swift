import CCodecShims

/// Owns one `CCodecShims_result` and the malloc'd bytes a successful encode leaves in it.
///
/// Every codec call goes through `run(format:accepting:_:)`, the single place where a C status becomes
/// an `ImageCodecError` (with the failing C function and the library's message read from the result).
final class ShimResult {
  var raw = CCodecShims_result()

  deinit { CCodecShims_free(raw.bytes) }

  /// Runs `call` with a pointer to the result; throws unless the status is ok or one of `accepted`.
  static func run(
    format: ImageFormat?, accepting accepted: Set<Int32> = [],
    _ call: (UnsafeMutablePointer<CCodecShims_result>) -> Int32
  ) throws(ImageCodecError) -> ShimResult {
    let result = ShimResult()
    let status = withUnsafeMutablePointer(to: &result.raw) { call($0) }
    guard status == CCodecShims_ok.rawValue || accepted.contains(status) else {
      throw ImageCodecError(
        code: ImageCodecError.Code(rawValue: Int32(status)), format: format,
        function: cString(result.raw.function), message: cString(result.raw.message))
    }
    return result
  }

  var status: Int32 { raw.status }

  /// The decoded shape the call reported.
  var shape: ImageShape { ImageShape(width: Int(raw.width), height: Int(raw.height), channels: Int(raw.channels)) }

  /// The encoded file bytes.
  func bytes() -> [UInt8] {
    let count = raw.byte_count
    guard count > 0, let source = raw.bytes else { return [] }
    return [UInt8](UnsafeBufferPointer(start: source, count: count))
  }
}

/// A NUL-terminated C `char[N]` (imported as a tuple) as a String.
private func cString<T>(_ tuple: T) -> String {
  withUnsafeBytes(of: tuple) { raw in
    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
  }
}
