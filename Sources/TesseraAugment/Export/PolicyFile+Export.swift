/// Writing a policy for torchvision, timm or albumentations.
extension PolicyFile {
  /// The policy in `target`'s form, with what the target cannot express listed in `limitations`.
  ///
  /// - Throws: `PolicyExportError` when nothing sensible can be written (e.g. an arbitrary AutoAugment table as a
  ///   timm string, AugMix in albumentations).
  public func export(to target: ExportTarget) throws(PolicyExportError) -> PolicyExport {
    switch target {
    case .torchvision: return TorchvisionExporter(file: self).export()
    case .timm: return try TimmExporter(file: self).export()
    case .albumentations: return try AlbumentationsExporter(file: self).export()
    }
  }
}
