#if canImport(Glibc)
import Glibc
#endif

/// Three-way order of two byte runs, git's order of paths: negative when `a` sorts first. When one run is a prefix
/// of the other, `tie` decides; by default the shorter sorts first.
func compareBytes(_ a: UnsafeRawPointer?, _ aCount: Int, _ b: UnsafeRawPointer?, _ bCount: Int,
                  tie: (_ common: Int) -> Int = { _ in 0 }) -> Int {
  let common = min(aCount, bCount)
  if common > 0 {
    let c = memcmp(a!, b!, common)
    if c != 0 { return Int(c) }
  }
  let t = tie(common)
  return t != 0 ? t : aCount - bCount
}
