import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The flat shape of S3's XML answers: leaf values outside records (`IsTruncated`, `UploadId`, `Code`) and a
/// list of records (`Contents`, `Part`), each a map of its leaf elements.
struct S3XML {
  var values: [String: String] = [:]
  var records: [[String: String]] = []

  static func parse(_ data: Data, records recordName: String) throws -> S3XML {
    let delegate = Collector(recordName: recordName)
    let parser = XMLParser(data: data)
    parser.delegate = delegate
    guard parser.parse() else {
      let start = String(decoding: data.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
      throw RemoteError("the S3 server sent XML that does not parse: \(start)")
    }
    return delegate.result
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  private final class Collector: NSObject, XMLParserDelegate {
    let recordName: String
    var result = S3XML()
    var record: [String: String]?
    var text = ""

    init(recordName: String) { self.recordName = recordName }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
      if name == recordName && !recordName.isEmpty { record = [:] }
      text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
      if name == recordName, let finished = record {
        result.records.append(finished)
        record = nil
      } else if record != nil {
        record?[name] = text
      } else {
        result.values[name] = text
      }
      text = ""
    }
  }
}
