import CGit2

/// A git object id (SHA-1), as a value.
public struct GitOID: Sendable, Hashable, CustomStringConvertible {
  var raw: git_oid

  init(_ raw: git_oid) { self.raw = raw }

  init?(hex: String) {
    var oid = git_oid()
    guard hex.count == 40, git_oid_fromstr(&oid, hex) == 0 else { return nil }
    raw = oid
  }

  public var hex: String {
    var oid = raw
    var buffer = [CChar](repeating: 0, count: 41)
    git_oid_tostr(&buffer, 41, &oid)
    return String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  public var description: String { hex }

  public static func == (a: GitOID, b: GitOID) -> Bool {
    withUnsafeBytes(of: a.raw) { x in withUnsafeBytes(of: b.raw) { y in x.elementsEqual(y) } }
  }

  public func hash(into hasher: inout Hasher) { withUnsafeBytes(of: raw) { hasher.combine(bytes: $0) } }
}
