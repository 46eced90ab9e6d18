/// A library a policy can be exported to (`tessera policy export --to`).
public enum ExportTarget: String, CaseIterable, Sendable, Hashable, Codable {
  /// Python code building a `torchvision.transforms.v2` pipeline.
  case torchvision
  /// A timm augmentation string (`--aa` / `create_transform(auto_augment=...)`).
  case timm
  /// albumentations' serialized pipeline (`A.to_dict` JSON, loadable with `A.from_dict`).
  case albumentations

  /// The library version the exported text is written for and was checked against
  /// (`Benchmarks/check_exports.sh` installs these).
  public var checkedVersion: String {
    switch self {
    case .torchvision: return "torchvision >= 0.16 (transforms.v2)"
    case .timm: return "timm >= 0.9"
    case .albumentations: return "albumentations 2.0"
    }
  }
}
