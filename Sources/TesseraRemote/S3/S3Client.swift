import Crypto
import Foundation

/// A small S3 client over libcurl (`HTTPClient`): the calls Tessera's remotes need (objects, ranges, listings, multipart
/// uploads), signed with SigV4. Calls block the calling thread, so transfers run them from a pool of workers;
/// transient failures (network errors, 500, 503 SlowDown) are retried with back-off.
public final class S3Client: @unchecked Sendable {
  public let settings: S3Settings
  private let http = HTTPClient()
  private let signer: SigV4
  private let maxAttempts = 5

  /// Requests run on the caller's thread; as many connections stay open as threads made requests at once.
  public init(settings: S3Settings) {
    self.settings = settings
    signer = SigV4(settings: settings)
  }

  public typealias Response = HTTPResponse

  // MARK: Objects

  public func putObject(bucket: String, key: String, body: Data) throws {
    _ = try send("PUT", bucket: bucket, key: key, body: body, expect: [200])
  }

  /// The object's bytes, or the bytes `range` selects (`Range: bytes=lower-(upper-1)`); nil when there is no such key.
  public func getObject(bucket: String, key: String, range: Range<Int64>? = nil) throws -> Data? {
    var headers: [String: String] = [:]
    if let range { headers["Range"] = "bytes=\(range.lowerBound)-\(range.upperBound - 1)" }
    let response = try send("GET", bucket: bucket, key: key, headers: headers, expect: [200, 206, 404])
    if response.status == 404 { return nil }
    if let range, response.status == 200 {
      // A server that ignores Range sends the whole object; cut the part asked for.
      let lower = Int(range.lowerBound), upper = min(Int(range.upperBound), response.body.count)
      guard lower <= upper else { throw RemoteError("s3://\(bucket)/\(key): shorter than the range asked for") }
      return response.body.subdata(in: lower..<upper)
    }
    return response.body
  }

  /// The object's size, or nil when there is no such key.
  public func headObject(bucket: String, key: String) throws -> Int64? {
    let response = try send("HEAD", bucket: bucket, key: key, expect: [200, 404])
    if response.status == 404 { return nil }
    return Int64(response.headers["content-length"] ?? "") ?? 0
  }

  public func deleteObject(bucket: String, key: String) throws {
    _ = try send("DELETE", bucket: bucket, key: key, expect: [200, 204, 404])
  }

  public func createBucket(_ bucket: String) throws {
    _ = try send("PUT", bucket: bucket, key: "", expect: [200])
  }

  /// Every key under `prefix` with its size (ListObjectsV2, following continuation tokens).
  public func listObjects(bucket: String, prefix: String) throws -> [(key: String, size: Int64)] {
    var out: [(String, Int64)] = []
    var token: String?
    repeat {
      var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "1000")]
      if let token { query.append(("continuation-token", token)) }
      let response = try send("GET", bucket: bucket, key: "", query: query, expect: [200])
      let xml = try S3XML.parse(response.body, records: "Contents")
      for record in xml.records {
        guard let key = record["Key"] else { continue }
        out.append((key, Int64(record["Size"] ?? "") ?? 0))
      }
      token = xml.values["IsTruncated"] == "true" ? xml.values["NextContinuationToken"] : nil
    } while token != nil
    return out
  }

  // MARK: Multipart uploads

  public func createMultipartUpload(bucket: String, key: String) throws -> String {
    let response = try send("POST", bucket: bucket, key: key, query: [("uploads", "")], expect: [200])
    guard let id = try S3XML.parse(response.body, records: "").values["UploadId"] else {
      throw RemoteError("s3://\(bucket)/\(key): the server started a multipart upload without an UploadId")
    }
    return id
  }

  /// Uploads one part; returns its ETag.
  public func uploadPart(bucket: String, key: String, uploadID: String, number: Int, body: Data) throws -> String {
    let response = try send("PUT", bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
                            body: body, expect: [200])
    guard let etag = response.headers["etag"] else { throw RemoteError("s3://\(bucket)/\(key): part \(number) came back without an ETag") }
    return etag
  }

  /// The parts an unfinished upload already holds (number → (ETag, size)); nil when the upload is gone.
  public func listParts(bucket: String, key: String, uploadID: String) throws -> [Int: (etag: String, size: Int64)]? {
    var out: [Int: (String, Int64)] = [:]
    var marker: String?
    repeat {
      var query = [("uploadId", uploadID), ("max-parts", "1000")]
      if let marker { query.append(("part-number-marker", marker)) }
      let response = try send("GET", bucket: bucket, key: key, query: query, expect: [200, 404])
      if response.status == 404 { return nil }
      let xml = try S3XML.parse(response.body, records: "Part")
      for record in xml.records {
        guard let n = Int(record["PartNumber"] ?? ""), let etag = record["ETag"] else { continue }
        out[n] = (etag, Int64(record["Size"] ?? "") ?? -1)
      }
      marker = xml.values["IsTruncated"] == "true" ? xml.values["NextPartNumberMarker"] : nil
    } while marker != nil
    return out
  }

  public func completeMultipartUpload(bucket: String, key: String, uploadID: String, parts: [(number: Int, etag: String)]) throws {
    var xml = "<CompleteMultipartUpload>"
    for part in parts.sorted(by: { $0.number < $1.number }) {
      xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3XML.escape(part.etag))</ETag></Part>"
    }
    xml += "</CompleteMultipartUpload>"
    let response = try send("POST", bucket: bucket, key: key, query: [("uploadId", uploadID)], body: Data(xml.utf8), expect: [200])
    // S3 can answer 200 and still report an error in the body.
    if let code = try? S3XML.parse(response.body, records: "").values["Code"] {
      throw RemoteError("s3://\(bucket)/\(key): completing the multipart upload failed: \(code)")
    }
  }

  public func abortMultipartUpload(bucket: String, key: String, uploadID: String) throws {
    _ = try send("DELETE", bucket: bucket, key: key, query: [("uploadId", uploadID)], expect: [200, 204, 404])
  }

  // MARK: Requests

  private func send(_ method: String, bucket: String, key: String, query: [(String, String)] = [],
                    headers extra: [String: String] = [:], body: Data? = nil, expect: Set<Int>) throws -> Response {
    let (base, pathPrefix) = try location(bucket: bucket)
    let path = pathPrefix + (key.isEmpty ? (pathPrefix.hasSuffix("/") ? "" : "/") : "/" + SigV4.encode(key, keepSlash: true))
    let canonicalPath = path.isEmpty ? "/" : path
    let queryString = SigV4.canonicalQuery(query)
    guard let url = URL(string: base + canonicalPath + (queryString.isEmpty ? "" : "?" + queryString)) else {
      throw RemoteError("s3://\(bucket)/\(key): cannot form a URL")
    }
    // The Host header carries the port only when it is not the scheme's default; sign exactly that.
    let defaultPort = url.scheme == "https" ? 443 : 80
    let host = url.port.flatMap { $0 == defaultPort ? nil : "\(url.host!):\($0)" } ?? url.host!
    let payloadHash = body.map { SigV4.hex(SHA256.hash(data: $0)) } ?? SigV4.emptyPayloadHash
    let what = "\(method) s3://\(bucket)/\(key)"
    var lastError: Error?
    for attempt in 0..<maxAttempts {
      if attempt > 0 { usleep(UInt32(min(8.0, 0.2 * pow(2.0, Double(attempt))) * 1_000_000)) }
      var headers = extra
      signer.sign(method: method, host: host, path: canonicalPath, query: queryString, headers: &headers, payloadHash: payloadHash)
      do {
        let response = try http.send(method: method, url: url.absoluteString, headers: headers, body: body)
        if expect.contains(response.status) { return response }
        let error = Self.describe(response, what: what)
        if response.status >= 500 || response.status == 429 {
          lastError = error
          continue
        }
        throw error
      } catch let error as RemoteError {
        throw error
      } catch {
        lastError = RemoteError("\(what): \(error) (endpoint \(base))")
      }
    }
    throw lastError ?? RemoteError("\(what): failed")
  }

  /// The scheme+host part and the path prefix for a bucket: path style on a custom endpoint (SeaweedFS, MinIO),
  /// virtual-hosted style on AWS itself.
  private func location(bucket: String) throws -> (String, String) {
    if let endpoint = settings.endpoint {
      var base = endpoint.absoluteString
      while base.hasSuffix("/") { base.removeLast() }
      return (base, "/" + SigV4.encode(bucket, keepSlash: false))
    }
    // A dotted bucket name would not match the TLS wildcard certificate as a host name: path style for those.
    if bucket.contains(".") { return ("https://s3.\(settings.region).amazonaws.com", "/" + SigV4.encode(bucket, keepSlash: false)) }
    return ("https://\(bucket).s3.\(settings.region).amazonaws.com", "")
  }

  private static func describe(_ response: Response, what: String) -> RemoteError {
    let xml = try? S3XML.parse(response.body, records: "")
    let code = xml?.values["Code"] ?? "HTTP \(response.status)"
    let message = xml?.values["Message"].map { ": \($0)" } ?? ""
    return RemoteError("\(what): \(code)\(message)")
  }
}
