import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The flat shape of S3's XML answers: leaf values outside records (`IsTruncated`, `UploadId`, `Code`) and a
/// list of records (`Contents`, `Part`), each a map of its leaf elements.
///
/// Parsed by libxml2's streaming reader, loaded on first use (like libcurl, see `HTTPClient`): linked, libxml2
/// and ICU cost every `tessera` process their loading time, though only remote commands read XML. The reader's
/// functions take and return plain pointers and integers, so they are called here without its headers.
struct S3XML {
  var values: [String: String] = [:]
  var records: [[String: String]] = []

  static func parse(_ data: Data, records recordName: String) throws -> S3XML {
    let xml = try LibXML2.library()
    guard !data.isEmpty else { throw RemoteError("the S3 server sent an empty answer where XML was expected") }
    guard data.count <= Int(Int32.max) else { throw RemoteError("the S3 server sent \(data.count) bytes of XML, too many to parse") }
    // The reader may read from `data` until it is freed: all of it happens inside this closure.
    return try data.withUnsafeBytes { bytes in
      guard let reader = xml.readerForMemory(bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
                                             nil, nil, LibXML2.parseOptions) else {
        throw RemoteError("xmlReaderForMemory failed for the S3 server's answer")
      }
      defer { xml.freeTextReader(reader) }
      return try collect(reader, xml, recordName: recordName, data: data)
    }
  }

  private static func collect(_ reader: OpaquePointer, _ xml: LibXML2.Library, recordName: String, data: Data) throws -> S3XML {
    var result = S3XML()
    var record: [String: String]?
    var text = ""
    func end(_ name: String) {
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
    while true {
      let status = xml.read(reader)
      if status == 0 { break }
      guard status == 1 else {
        let start = String(decoding: data.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
        throw RemoteError("the S3 server sent XML that does not parse: \(start)")
      }
      let name = { xml.constLocalName(reader).map { String(cString: $0) } ?? "" }
      switch xml.nodeType(reader) {
      case LibXML2.element:
        let elementName = name()
        if elementName == recordName && !recordName.isEmpty { record = [:] }
        text = ""
        if xml.isEmptyElement(reader) == 1 { end(elementName) }  // `<a/>` has no end-element node of its own
      case LibXML2.text, LibXML2.cdata, LibXML2.significantWhitespace:
        if let value = xml.constValue(reader) { text += String(cString: value) }
      case LibXML2.endElement:
        end(name())
      default:
        break
      }
    }
    return result
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}

/// libxml2's text reader, loaded once (`dlopen`) by whichever thread first parses.
enum LibXML2 {
  struct Library: @unchecked Sendable {
    typealias ReaderForMemory = @convention(c) (UnsafePointer<CChar>, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                                Int32) -> OpaquePointer?
    let readerForMemory: ReaderForMemory
    let read: @convention(c) (OpaquePointer) -> Int32
    let nodeType: @convention(c) (OpaquePointer) -> Int32
    let isEmptyElement: @convention(c) (OpaquePointer) -> Int32
    let constLocalName: @convention(c) (OpaquePointer) -> UnsafePointer<CChar>?
    let constValue: @convention(c) (OpaquePointer) -> UnsafePointer<CChar>?
    let freeTextReader: @convention(c) (OpaquePointer) -> Void
  }

  static let libraryName = "libxml2.so.2"
  // xmlParserOption (libxml/parser.h): XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET. No error text
  // on stderr (the caller reports), and no network access for external entities.
  static let parseOptions: Int32 = 32 | 64 | 2048
  // xmlReaderTypes (libxml/xmlreader.h).
  static let element: Int32 = 1, text: Int32 = 3, cdata: Int32 = 4, significantWhitespace: Int32 = 14, endElement: Int32 = 15

  private static let loaded: Result<Library, RemoteError> = load()

  static func library() throws -> Library { try loaded.get() }

  private static func load() -> Result<Library, RemoteError> {
    guard let handle = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL) else {
      let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
      return .failure(RemoteError("dlopen \(libraryName) failed: \(reason); install libxml2 (apt-get install libxml2)"))
    }
    func symbol<T>(_ name: String, _ type: T.Type) throws -> T {
      guard let address = dlsym(handle, name) else { throw RemoteError("dlsym \(name) failed: \(libraryName) does not define it") }
      return unsafeBitCast(address, to: type)
    }
    do {
      // Set up once, before threads parse (the reader would do it lazily, and not thread-safely in 2.9).
      try symbol("xmlInitParser", (@convention(c) () -> Void).self)()
      return .success(Library(
        readerForMemory: try symbol("xmlReaderForMemory", Library.ReaderForMemory.self),
        read: try symbol("xmlTextReaderRead", (@convention(c) (OpaquePointer) -> Int32).self),
        nodeType: try symbol("xmlTextReaderNodeType", (@convention(c) (OpaquePointer) -> Int32).self),
        isEmptyElement: try symbol("xmlTextReaderIsEmptyElement", (@convention(c) (OpaquePointer) -> Int32).self),
        constLocalName: try symbol("xmlTextReaderConstLocalName", (@convention(c) (OpaquePointer) -> UnsafePointer<CChar>?).self),
        constValue: try symbol("xmlTextReaderConstValue", (@convention(c) (OpaquePointer) -> UnsafePointer<CChar>?).self),
        freeTextReader: try symbol("xmlFreeTextReader", (@convention(c) (OpaquePointer) -> Void).self)))
    } catch {
      return .failure(error as! RemoteError)
    }
  }
}
