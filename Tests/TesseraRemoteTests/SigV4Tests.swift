import Foundation
import Crypto
import Testing
@testable import TesseraRemote

/// Signatures checked against botocore's S3SigV4Auth (scripts/sigv4_reference.py prints the expected values);
/// the first is also the worked example of AWS's S3 documentation.
@Suite struct SigV4Tests {
  let signer = SigV4(settings: S3Settings(endpoint: nil, region: "us-east-1", accessKey: "AKIAIOSFODNN7EXAMPLE",
                                          secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
  let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

  func authorization(_ method: String, host: String, path: String, query: [(String, String)], headers: [String: String],
                     body: Data = Data()) -> String {
    var h = headers
    signer.sign(method: method, host: host, path: path, query: SigV4.canonicalQuery(query), headers: &h,
                payloadHash: SigV4.hex(SHA256.hash(data: body)), date: date)
    return String(h["Authorization"]!.split(separator: "=").last!)
  }

  @Test func awsDocumentationExample() {
    #expect(authorization("GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", query: [],
                          headers: ["Range": "bytes=0-9"]) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
  }

  @Test func listingQueryIsSortedAndEncoded() {
    let query = [("list-type", "2"), ("prefix", "ds/packs/"), ("continuation-token", "a+b=")]
    #expect(SigV4.canonicalQuery(query) == "continuation-token=a%2Bb%3D&list-type=2&prefix=ds%2Fpacks%2F")
    #expect(authorization("GET", host: "127.0.0.1:8333", path: "/my-bucket", query: query, headers: [:])
            == "8ace79e6d18661e3d3b4e74671a512ab49ec7b604b49a5667840a5cad0e0d3ec")
  }

  @Test func partUploadSignsThePayload() {
    #expect(authorization("PUT", host: "127.0.0.1:8333", path: "/my-bucket/ds/packs/pack-1.tpk",
                          query: [("partNumber", "2"), ("uploadId", "abc/def")], headers: [:], body: Data("hello world".utf8))
            == "3f744e5f04459745afaa404af2cb2ff74b5ca078eb8bf3a4523d9a7dc1d77bd4")
  }

  @Test func keysAreEncodedButKeepTheirSlashes() {
    #expect(SigV4.encode("a b+c/ü=&.txt", keepSlash: true) == "a%20b%2Bc/%C3%BC%3D%26.txt")
    #expect(SigV4.encode("a/b", keepSlash: false) == "a%2Fb")
  }

  @Test func settingsComeFromEnvironmentThenProfileFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-aws-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n[work]\naws_access_key_id = WORK\naws_secret_access_key = w\n"
      .write(to: dir.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
    try "[profile work]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:9000\n"
      .write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
    let files = ["AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials", "AWS_CONFIG_FILE": dir.path + "/config", "HOME": dir.path]
    let plain = try S3Settings.fromEnvironment(files)
    #expect(plain.accessKey == "FILEKEY" && plain.region == "us-east-1" && plain.endpoint == nil)
    let work = try S3Settings.fromEnvironment(files.merging(["AWS_PROFILE": "work"]) { $1 })
    #expect(work.accessKey == "WORK" && work.region == "eu-west-1" && work.endpoint?.absoluteString == "http://127.0.0.1:9000")
    let env = try S3Settings.fromEnvironment(files.merging(["AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "e",
                                                            "AWS_ENDPOINT_URL": "http://localhost:1"]) { $1 })
    #expect(env.accessKey == "ENV" && env.endpoint?.port == 1)
    #expect(throws: RemoteError.self) { try S3Settings.fromEnvironment(["HOME": dir.path + "/none"]) }
  }

  @Test func remoteURLsAreCheckedWithOneLineErrors() throws {
    #expect(try RemoteLocation("s3://my-bucket/a/b") == .s3(bucket: "my-bucket", prefix: "a/b"))
    #expect(try RemoteLocation("file:///srv/x") == .folder("/srv/x"))
    #expect(throws: RemoteError.self) { try RemoteLocation("s3://ab/x") }
    #expect(throws: RemoteError.self) { try RemoteLocation("http://example.com/x") }
  }
}
