import Foundation
import Testing

@testable import Storage

/// `ListObjectsV2` documents as S3 servers write them: the objects' keys, sizes and times, and the token.
struct S3ListingParserTests {
    @Test func readsObjectsTimesAndTheContinuationToken() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>images</Name><IsTruncated>true</IsTruncated><NextContinuationToken>next-1</NextContinuationToken>
              <Contents><Key>a/1.jpg</Key><LastModified>2026-11-26T13:04:16.250Z</LastModified><Size>1234</Size></Contents>
              <Contents><Key>a/2.png</Key><LastModified>2026-11-26T13:04:16Z</LastModified><Size>5</Size></Contents>
              <Contents><Key>a/3.webp</Key><LastModified>2026-11-26T15:04:16+02:00</LastModified><Size>0</Size></Contents>
              <Contents><Key>a/4.gif</Key><LastModified>yesterday</LastModified><Size>7</Size></Contents>
            </ListBucketResult>
            """
        let page = try S3ListingParser.parse(Data(xml.utf8))
        let base = Date(timeIntervalSince1970: 1_795_698_256)  // 2026-11-26T13:04:16Z
        #expect(page.continuationToken == "next-1")
        #expect(page.objects.map(\.key) == ["a/1.jpg", "a/2.png", "a/3.webp", "a/4.gif"])
        #expect(page.objects.map(\.size) == [1234, 5, 0, 7])
        #expect(abs(page.objects[0].lastModified.timeIntervalSince(base) - 0.25) < 0.001)
        #expect(page.objects[1].lastModified == base && page.objects[2].lastModified == base)
        // A time that does not parse is as old as can be: the sweeper treats the object as long stored.
        #expect(page.objects[3].lastModified == .distantPast)
    }

    @Test func lastPageHasNoToken() throws {
        let xml = "<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>"
        let page = try S3ListingParser.parse(Data(xml.utf8))
        #expect(page.objects.isEmpty && page.continuationToken == nil)
    }
}
