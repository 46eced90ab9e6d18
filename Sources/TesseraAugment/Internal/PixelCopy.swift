/// Copies one pixel of `channels` samples. Callers branch on the channel count once per image and call the
/// specialised closures below in their inner loops, so the per-sample loop disappears for 1, 3 and 4 channels.
@inline(__always)
func copyPixel(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafePointer<UInt8>, channels: Int) {
  switch channels {
  case 1: dst.pointee = src.pointee
  case 3:
    dst[0] = src[0]
    dst[1] = src[1]
    dst[2] = src[2]
  case 4:
    UnsafeMutableRawPointer(dst).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: UInt32.self), as: UInt32.self)
  default:
    dst.update(from: src, count: channels)
  }
}

/// Runs `body` with the channel count as a compile-time-friendly constant for the common cases.
@inline(__always)
func withChannelSpecialization<R>(_ channels: Int, _ body: (Int) -> R) -> R {
  switch channels {
  case 1: return body(1)
  case 3: return body(3)
  case 4: return body(4)
  default: return body(channels)
  }
}
