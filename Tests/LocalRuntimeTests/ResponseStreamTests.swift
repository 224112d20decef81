import AsyncAlgorithms
import Foundation
import FunctionRuntime
import Hummingbird
import NIOCore
import Synchronization
import Testing
@testable import LocalRuntime

/// local-runtime's side of Lambda's response streaming: the prelude read up to the eight NULs wherever the
/// chunks split it, and a body passed on with backpressure, so a response of any size costs a chunk or two.
@Suite struct ResponseStreamTests {
    struct Broken: Error {}

    /// A worker's response body, handed out chunk by chunk, counting how many were taken; it breaks off
    /// after `failAfter` chunks when set.
    final class Source: Sendable {
        let taken = Mutex(0)
        let chunks: [ByteBuffer]
        let failAfter: Int?
        init(_ chunks: [ByteBuffer], failAfter: Int? = nil) {
            self.chunks = chunks
            self.failAfter = failAfter
        }
        var body: RequestBody {
            RequestBody(asyncSequence: Sequence(source: self))
        }
        struct Sequence: AsyncSequence, Sendable {
            typealias Element = ByteBuffer
            let source: Source
            struct AsyncIterator: AsyncIteratorProtocol {
                let source: Source
                var index = 0
                mutating func next() async throws -> ByteBuffer? {
                    if let failAfter = source.failAfter, index == failAfter { throw Broken() }
                    guard index < source.chunks.count else { return nil }
                    defer { index += 1 }
                    source.taken.withLock { $0 += 1 }
                    return source.chunks[index]
                }
            }
            func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }
        }
    }

    static let prelude = Data(#"{"statusCode":200,"headers":{"content-type":"image/png"},"cookies":["a=b"]}"#.utf8)

    /// The prelude and the delimiter, then `count` body chunks of `size` bytes.
    static func chunks(count: Int, size: Int) -> [ByteBuffer] {
        [ByteBuffer(bytes: prelude + StreamedResponse.delimiter)] + (0..<count).map { i in ByteBuffer(repeating: UInt8(i % 251), count: size) }
    }

    /// What the Runtime API's route does with a streamed response: the prelude read, the body forwarded down a
    /// channel (the client's side) in a task of its own, whose value says whether the whole body went through.
    static func forwarding(_ source: Source, maxBytes: Int) -> (AsyncThrowingChannel<ByteBuffer, any Error>, Task<Bool, any Error>) {
        let channel = AsyncThrowingChannel<ByteBuffer, any Error>()
        let task = Task {
            var iterator = source.body.makeAsyncIterator()
            let (_, rest) = try await StreamedResponseReader.prelude(from: &iterator)
            return await StreamedResponseReader.forward(first: rest, rest: &iterator, to: channel, maxBytes: maxBytes)
        }
        return (channel, task)
    }

    @Test func thePreludeIsFoundWhereverTheChunksSplitIt() async throws {
        let whole = Self.prelude + StreamedResponse.delimiter + Data("body".utf8)
        for cut in [1, Self.prelude.count - 1, Self.prelude.count + 3, Self.prelude.count + 8] {
            let source = Source([ByteBuffer(bytes: whole.prefix(cut)), ByteBuffer(bytes: whole.dropFirst(cut))])
            var iterator = source.body.makeAsyncIterator()
            let (prelude, rest) = try await StreamedResponseReader.prelude(from: &iterator)
            #expect(prelude == StreamedResponse.Prelude(statusCode: 200, headers: ["content-type": "image/png"], cookies: ["a=b"]))
            var body = Data(rest.readableBytesView)
            while let chunk = try await iterator.next() { body.append(contentsOf: chunk.readableBytesView) }
            #expect(body == Data("body".utf8), "cut at \(cut)")
        }
    }

    @Test func noDelimiterOrNoJSONIsAnInvalidPrelude() async throws {
        for text in [#"{"statusCode":200}"#, "not json" + "\0\0\0\0\0\0\0\0"] {
            var iterator = Source([ByteBuffer(string: text)]).body.makeAsyncIterator()
            await #expect(throws: StreamedResponseReader.Failure.self) { try await StreamedResponseReader.prelude(from: &iterator) }
        }
    }

    /// 20 MB of body: while nobody reads the client's side, the worker's side is read no further than one
    /// hand-off (256 KiB) ahead; once the client reads, every byte arrives in order.
    @Test func aLargeBodyIsPassedOnWithBackpressure() async throws {
        let source = Source(Self.chunks(count: 320, size: 65_536))
        let (channel, forwarding) = Self.forwarding(source, maxBytes: StreamedResponse.maxBytes)
        try await Task.sleep(for: .milliseconds(300))
        let takenWhileNobodyReads = source.taken.withLock { $0 }
        let oneHandOff = StreamedResponseReader.handOffBytes / 65_536
        #expect(takenWhileNobodyReads <= 1 + oneHandOff, "\(takenWhileNobodyReads) chunks read ahead of the client")
        var received = Data()
        for try await chunk in channel {
            #expect(chunk.readableBytes <= StreamedResponseReader.handOffBytes)
            received.append(contentsOf: chunk.readableBytesView)
        }
        #expect(try await forwarding.value == true)
        #expect(received.count == 320 * 65_536)
        let misplaced = (0..<320).filter { (i: Int) -> Bool in
            let mark = UInt8(i % 251)
            return received[i * 65_536] != mark || received[i * 65_536 + 65_535] != mark
        }
        #expect(misplaced.isEmpty, "chunks out of place: \(misplaced.prefix(5))")
    }

    @Test func aBodyOverTheLimitOrBrokenOffFailsTheClientsStream() async throws {
        for (source, limit) in [(Source(Self.chunks(count: 10, size: 1000)), 5_000), (Source(Self.chunks(count: 10, size: 1000), failAfter: 4), 1 << 20)] {
            let (channel, forwarding) = Self.forwarding(source, maxBytes: limit)
            await #expect(throws: ResponseStream.Interrupted.self) {
                for try await _ in channel {}
            }
            #expect(try await forwarding.value == false)
        }
    }

    /// A client that goes away releases the worker's side: the rest is read and dropped, not waited on.
    @Test func aClientThatLeavesDoesNotHoldTheWorker() async throws {
        let source = Source(Self.chunks(count: 50, size: 1000))
        let (channel, forwarding) = Self.forwarding(source, maxBytes: 1 << 20)
        for try await _ in channel { break }
        channel.finish()  // what the response writer's defer does
        #expect(try await forwarding.value == true)
        #expect(source.taken.withLock { $0 } == 51)
    }
}
