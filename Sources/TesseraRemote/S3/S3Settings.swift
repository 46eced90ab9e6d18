import Foundation

/// Where and as whom to reach S3, read the way the AWS CLI reads it: environment first, then the profile in
/// `~/.aws/credentials` and `~/.aws/config` (`AWS_PROFILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`).
public struct S3Settings: Sendable, Equatable {
  public var endpoint: URL?
  public var region: String
  public var accessKey: String
  public var secretKey: String
  public var sessionToken: String?

  public init(endpoint: URL?, region: String, accessKey: String, secretKey: String, sessionToken: String? = nil) {
    self.endpoint = endpoint
    self.region = region
    self.accessKey = accessKey
    self.secretKey = secretKey
    self.sessionToken = sessionToken
  }

  /// Reads the settings from `environment` and the AWS files; fails with a one-line error naming what is missing.
  public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Settings {
    let home = environment["HOME"] ?? NSHomeDirectory()
    let profile = environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default"
    let credentialsFile = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
    let configFile = environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config"
    let credentials = (try? IniFile.parse(path: credentialsFile))?[profile] ?? [:]
    let config = (try? IniFile.parse(path: configFile)).flatMap { $0[profile == "default" ? "default" : "profile " + profile] } ?? [:]
    func pick(_ env: [String], _ key: String) -> String? {
      for name in env { if let v = environment[name], !v.isEmpty { return v } }
      return credentials[key] ?? config[key]
    }
    guard let access = pick(["AWS_ACCESS_KEY_ID"], "aws_access_key_id") else {
      throw RemoteError("no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile '\(profile)' in \(credentialsFile)")
    }
    guard let secret = pick(["AWS_SECRET_ACCESS_KEY"], "aws_secret_access_key") else {
      throw RemoteError("no S3 secret key: set AWS_SECRET_ACCESS_KEY, or aws_secret_access_key in profile '\(profile)' of \(credentialsFile)")
    }
    let token = pick(["AWS_SESSION_TOKEN"], "aws_session_token")
    let region = pick(["AWS_REGION", "AWS_DEFAULT_REGION"], "region") ?? "us-east-1"
    var endpoint: URL?
    if let text = pick(["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"], "endpoint_url") {
      guard let url = URL(string: text), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil else {
        throw RemoteError("S3 endpoint '\(text)' is not an http:// or https:// URL (AWS_ENDPOINT_URL)")
      }
      endpoint = url
    }
    return S3Settings(endpoint: endpoint, region: region, accessKey: access, secretKey: secret, sessionToken: token)
  }
}

/// The INI dialect of the AWS files: `[section]` headers and `key = value` lines; `#` and `;` start comments.
enum IniFile {
  static func parse(path: String) throws -> [String: [String: String]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var out: [String: [String: String]] = [:]
    var section = ""
    for raw in text.split(whereSeparator: \.isNewline) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("["), line.hasSuffix("]") {
        section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        continue
      }
      guard let eq = line.firstIndex(of: "=") else { continue }
      let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
      let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
      out[section, default: [:]][key] = value
    }
    return out
  }
}
