import Foundation

/// One invocation handed out by the Runtime API.
public struct Invocation: Sendable {
    public var metadata: InvocationMetadata
    public var event: Data

    public init(metadata: InvocationMetadata, event: Data) {
        self.metadata = metadata
        self.event = event
    }
}

/// The body the Runtime API takes for errors: `{"errorType","errorMessage"}`.
public struct ErrorReport: Codable, Sendable, Equatable {
    public var errorType: String
    public var errorMessage: String

    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    /// Built from an error's description, which must therefore be safe to show.
    public init(_ error: any Error) {
        if let runtimeError = error as? RuntimeError {
            self.init(errorType: runtimeError.code.rawValue, errorMessage: runtimeError.message)
        } else {
            self.init(errorType: String(describing: type(of: error)), errorMessage: String(describing: error))
        }
    }
}

/// The seam between the invocation loop and the Runtime API, so the loop can be tested against a fake one.
public protocol RuntimeAPIClient: Sendable {
    /// Waits (long poll) for the next invocation.
    func nextInvocation() async throws -> Invocation
    func respond(requestID: String, body: Data) async throws
    /// Posts a streamed HTTP response (`Lambda-Runtime-Function-Response-Mode: streaming`).
    func respond(requestID: String, streaming response: StreamedResponse) async throws
    func reportError(requestID: String, _ report: ErrorReport) async throws
    func reportInitError(_ report: ErrorReport) async throws
}
