import Hummingbird
import NIOCore

/// The request context of local-runtime's HTTP ingress: Hummingbird's basics plus the client's address,
/// which API Gateway passes as `requestContext.http.sourceIp`.
struct IngressContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
