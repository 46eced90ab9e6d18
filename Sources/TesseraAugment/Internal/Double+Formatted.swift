extension Double {
  /// "9" rather than "9.0" in messages.
  var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
