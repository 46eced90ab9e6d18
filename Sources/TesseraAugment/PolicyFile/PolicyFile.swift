import Foundation

/// A versioned policy document (docs/POLICY.md): format, name, the policy, and optional provenance.
public struct PolicyFile: Sendable, Hashable {
  /// The format version this build reads and writes.
  public static let currentFormat = 1

  public var format: Int
  public var name: String
  public var description: String?
  public var policy: Policy
  public var provenance: Provenance?

  public init(name: String, description: String? = nil, policy: Policy, provenance: Provenance? = nil) {
    self.format = PolicyFile.currentFormat
    self.name = name
    self.description = description
    self.policy = policy
    self.provenance = provenance
  }

  /// Parses a policy document; errors name the field path and what is wrong.
  public static func decode(_ data: Data, file: String? = nil) throws -> PolicyFile {
    do {
      return try JSONDecoder().decode(PolicyFile.self, from: data)
    } catch var error as PolicyFileError {
      error.file = file
      throw error
    } catch let error as DecodingError {
      var converted = PolicyFileError.from(error)
      converted.file = file
      throw converted
    }
  }

  /// Reads and parses a policy file.
  public static func load(contentsOf url: URL) throws -> PolicyFile {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw PolicyFileError(file: url.path, path: "", message: "cannot read the file")
    }
    return try decode(data, file: url.path)
  }

  /// The canonical encoding: pretty-printed, keys sorted, newline-terminated. Decoding it gives back an equal
  /// value, and re-encoding that value gives back the same bytes.
  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(self)
    data.append(0x0A)
    return data
  }
}

extension PolicyFile: Codable {
  private enum CodingKeys: String, CodingKey, CaseIterable { case format, name, description, policy, provenance }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownFields(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    format = try c.decode(Int.self, forKey: .format)
    guard format == PolicyFile.currentFormat else {
      throw c.invalid(.format, "unsupported format \(format) (this build reads format \(PolicyFile.currentFormat))")
    }
    name = try c.decode(String.self, forKey: .name)
    guard !name.isEmpty else { throw c.invalid(.name, "must not be empty") }
    description = try c.decodeIfPresent(String.self, forKey: .description)
    policy = try c.decode(Policy.self, forKey: .policy)
    provenance = try c.decodeIfPresent(Provenance.self, forKey: .provenance)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(format, forKey: .format)
    try c.encode(name, forKey: .name)
    try c.encodeIfPresent(description, forKey: .description)
    try c.encode(policy, forKey: .policy)
    try c.encodeIfPresent(provenance, forKey: .provenance)
  }
}
