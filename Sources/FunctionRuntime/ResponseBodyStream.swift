import Foundation
import NIOCore

/// A body passed on as it arrives (an object read from the store) in a streamed answer. It is pulled one
/// buffer at a time as the Runtime API takes them, so the function holds the buffer in hand, never the body.
/// It can be read once.
public struct ResponseBodyStream: Sendable, Equatable {
    /// The body's length, which the answer's `Content-Length` says.
    public let length: Int
    private let pull: @Sendable () async throws -> ByteBuffer?
    private let id = UUID()

    public init<S: AsyncSequence & Sendable>(length: Int, _ sequence: S) where S.Element == ByteBuffer {
        self.length = length
        let box = IteratorBox(sequence.makeAsyncIterator())
        pull = { try await box.next() }
    }

    /// The next buffer, nil at the end.
    public func next() async throws -> ByteBuffer? { try await pull() }

    /// The whole body, for a buffered answer.
    public func collect() async throws -> Data {
        var data = Data(capacity: length)
        while let buffer = try await next() { data.append(contentsOf: buffer.readableBytesView) }
        return data
    }

    public static func == (a: ResponseBodyStream, b: ResponseBodyStream) -> Bool { a.id == b.id }
}

/// The sequence's iterator, advanced by one reader at a time (the Runtime API client's request body).
private final class IteratorBox<Iterator: AsyncIteratorProtocol>: @unchecked Sendable where Iterator.Element == ByteBuffer {
    private var iterator: Iterator

    init(_ iterator: Iterator) { self.iterator = iterator }

    func next() async throws -> ByteBuffer? { try await iterator.next() }
}
