import CHTTP
import Foundation
import Testing
@testable import TesseraRemote

/// The two halves of reading an S3 answer that do not need a server: XML bodies (libxml2's reader) and the
/// header lines libcurl hands over.
@Suite struct S3ResponseParsingTests {
  @Test func listingRecordsAndValuesAreRead() throws {
    let body = """
      <?xml version="1.0" encoding="UTF-8"?>
      <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
        <Name>bucket</Name><Prefix/><IsTruncated>true</IsTruncated>
        <NextContinuationToken>a&amp;b&lt;c</NextContinuationToken>
        <Contents><Key>d/packs/one.tpk</Key><Size>42</Size><Owner><ID>x</ID></Owner></Contents>
        <Contents><Key><![CDATA[d/weird <name>]]></Key><Size>7</Size></Contents>
        <Contents/>
      </ListBucketResult>
      """
    let xml = try S3XML.parse(Data(body.utf8), records: "Contents")
    #expect(xml.values["IsTruncated"] == "true")
    #expect(xml.values["NextContinuationToken"] == "a&b<c")
    #expect(xml.values["Prefix"] == "")
    #expect(xml.records.count == 3)
    #expect(xml.records[0]["Key"] == "d/packs/one.tpk" && xml.records[0]["Size"] == "42" && xml.records[0]["ID"] == "x")
    #expect(xml.records[1]["Key"] == "d/weird <name>" && xml.records[1]["Size"] == "7")
    #expect(xml.records[2].isEmpty)
  }

  @Test func anErrorAnswerGivesItsCodeAndMessage() throws {
    let body = "<Error><Code>NoSuchUpload</Code><Message>The upload does not exist</Message></Error>"
    let xml = try S3XML.parse(Data(body.utf8), records: "")
    #expect(xml.values["Code"] == "NoSuchUpload" && xml.values["Message"] == "The upload does not exist")
    #expect(xml.records.isEmpty)
  }

  @Test func brokenOrEmptyXMLIsAnErrorNamingWhatCame() {
    #expect {
      try S3XML.parse(Data("<Error><Code>Slow".utf8), records: "")
    } throws: { ($0 as? RemoteError)?.message.contains("does not parse: <Error><Code>Slow") == true }
    #expect {
      try S3XML.parse(Data(), records: "")
    } throws: { ($0 as? RemoteError)?.message.contains("empty answer") == true }
  }

  @Test func headerLinesBecomeLowercasedNamesWithTrimmedValues() {
    var text = Array("HTTP/1.1 200 OK\r\nETag: \"5d41402abc4b2a76\"\r\nContent-Length:  1234 \r\nx-amz-id-2: a:b\r\n\r\n".utf8)
    let headers = text.withUnsafeMutableBytes { raw in
      HTTPClient.parseHeaders(chttp_buffer(data: raw.baseAddress!.assumingMemoryBound(to: CChar.self), count: raw.count,
                                           capacity: raw.count))
    }
    #expect(headers == ["etag": "\"5d41402abc4b2a76\"", "content-length": "1234", "x-amz-id-2": "a:b"])
  }
}
