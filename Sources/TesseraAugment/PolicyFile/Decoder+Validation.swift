extension Decoder {
  /// Throws if the current object has a field not in `allowed` — a misspelt field should not be silently ignored.
  func rejectUnknownFields(_ allowed: Set<String>) throws {
    let c = try container(keyedBy: AnyCodingKey.self)
    for key in c.allKeys where !allowed.contains(key.stringValue) {
      throw PolicyFileError(path: PolicyFileError.format(codingPath + [key]),
                            message: "unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))")
    }
  }
}

extension KeyedDecodingContainer {
  /// A validation error at `key` of this object.
  func invalid(_ key: Key, _ message: String) -> PolicyFileError {
    PolicyFileError(path: PolicyFileError.format(codingPath + [key]), message: message)
  }

  /// Decodes an op name, with an error that names the field and lists nothing but the bad value.
  func decodeOpName(_ key: Key) throws -> OpName {
    let raw = try decode(String.self, forKey: key)
    guard let op = OpName(rawValue: raw) else {
      let suggestion = OpName.allCases.first { $0.rawValue.lowercased() == raw.lowercased() }
      let hint = suggestion.map { " (did you mean '\($0.rawValue)'?)" } ?? ""
      throw invalid(key, "unknown op '\(raw)'\(hint)")
    }
    return op
  }

  func decodeProbability(_ key: Key, default value: Double = 1) throws -> Double {
    guard let p = try decodeIfPresent(Double.self, forKey: key) else { return value }
    guard p >= 0 && p <= 1 else { throw invalid(key, "probability \(p) is outside [0, 1]") }
    return p
  }

  func decodeInt(_ key: Key, in range: ClosedRange<Int>) throws -> Int {
    let v = try decode(Int.self, forKey: key)
    guard range.contains(v) else {
      throw invalid(key, "\(v) is outside \(range.lowerBound)…\(range.upperBound)")
    }
    return v
  }
}
