import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// A deadline for a request's head, as API Gateway has one. Without it a client that opened a connection and
/// sent its headers a byte at a time kept the connection and its memory as long as it liked: the idle timeout
/// restarts with every byte. The first request's head must be complete within `headerTimeout` of the
/// connection's start, each later one within `idleTimeout` of the previous answer. Past it the client gets
/// `408 Request Timeout` with `Connection: close` and the connection is closed. (No request is pending then,
/// and the pipeline has no pipelining assistance that would pair answers with requests.) The body has its own
/// deadline (`bodyTimeout`, also a 408, from the router).
final class HeaderTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headerTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// A request is being read or answered: no head is awaited, so the deadline is off until its answer ends.
    private var inRequest = false

    init(headerTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }

    // Armed when the handler joins the pipeline, whatever the order of activation and set-up: a connection
    // counts from when it could first send.
    func handlerAdded(context: ChannelHandlerContext) {
        arm(context, within: headerTimeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inRequest = true
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inRequest = false
            arm(context, within: idleTimeout)
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    private func arm(_ context: ChannelHandlerContext, within timeout: TimeAmount) {
        deadline?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.expire(context)
        }
    }

    private func expire(_ context: ChannelHandlerContext) {
        deadline = nil
        guard !inRequest, context.channel.isActive else { return }
        let answer = HTTPResponse(status: .requestTimeout, headerFields: [.connection: "close", .contentLength: "0"])
        context.write(wrapOutboundOut(.head(answer)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
