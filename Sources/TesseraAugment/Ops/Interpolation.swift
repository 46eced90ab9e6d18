/// How geometric ops sample the source image (Pillow's NEAREST and BILINEAR resampling filters).
public enum Interpolation: String, Sendable, Hashable, Codable, CaseIterable {
  case nearest
  case bilinear
}
