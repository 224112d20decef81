import CRabbitMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection with one channel to RabbitMQ through rabbitmq-c. rabbitmq-c is blocking and not
/// thread-safe: use a connection from one thread at a time (a consumer thread, or a pool that lends it out).
public final class AMQPConnection {
    private let state: amqp_connection_state_t
    private let channel: amqp_channel_t = 1
    private var open = true
    private var confirmsEnabled = false
    private var nextPublishTag: UInt64 = 1

    /// Connects, logs in and opens channel 1. `timeout` bounds the TCP connect.
    public init(settings: AMQPSettings, timeout: Duration = .seconds(5), heartbeatSeconds: Int32 = 30) throws(MessagingError) {
        guard let state = amqp_new_connection() else { throw MessagingError(.unavailable, "out of memory") }
        self.state = state
        // From here on, deinit destroys the connection state, also when init throws.
        let created: OpaquePointer?
        do {
            created = try Self.socket(for: settings, state: state)
        } catch {
            open = false
            throw error
        }
        guard let socket = created else {
            open = false
            throw MessagingError(.unavailable, "could not create a socket")
        }
        var tv = Self.timeval(timeout)
        let status = amqp_socket_open_noblock(socket, settings.host, Int32(settings.port), &tv)
        guard status == AMQP_STATUS_OK.rawValue else {
            open = false
            if settings.tls != nil, status == AMQP_STATUS_SSL_ERROR.rawValue || status == AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue
                || status == AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue || status == AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue
            {
                throw MessagingError(.unavailable, "the TLS handshake with RabbitMQ at \(settings.host):\(settings.port) failed (certificate or host name not trusted?)")
            }
            throw MessagingError(.unavailable, "RabbitMQ at \(settings.host):\(settings.port) is unreachable")
        }
        let login = crabbitmq_login_plain(
            state, settings.vhost, 0, 131_072, heartbeatSeconds, settings.username, settings.password
        )
        guard login.reply_type == AMQP_RESPONSE_NORMAL else {
            open = false
            throw MessagingError(.unavailable, "RabbitMQ refused the login to vhost '\(settings.vhost)'")
        }
        amqp_channel_open(state, channel)
        do {
            try check("opening a channel")
        } catch {
            open = false
            throw error
        }
    }

    /// A TCP socket, or with `amqps` an OpenSSL one that verifies the broker's certificate and host name.
    private static func socket(for settings: AMQPSettings, state: amqp_connection_state_t) throws(MessagingError) -> OpaquePointer? {
        guard let tls = settings.tls else { return amqp_tcp_socket_new(state) }
        guard let socket = amqp_ssl_socket_new(state) else { return nil }
        if tls.verifyPeer {
            guard let caFile = tls.effectiveCAFile else {
                throw MessagingError(.invalidConfiguration, "amqps needs a CA bundle: none found on this system; give cacertfile in AMQP_URL")
            }
            guard amqp_ssl_socket_set_cacert(socket, caFile) == AMQP_STATUS_OK.rawValue else {
                throw MessagingError(.invalidConfiguration, "the CA file of AMQP_URL could not be read as PEM")
            }
        }
        amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyPeer ? 1 : 0)
        return socket
    }

    deinit {
        close()
        amqp_destroy_connection(state)
    }

    /// Closes the channel and the connection; unacknowledged deliveries go back to their queues.
    public func close() {
        guard open else { return }
        open = false
        amqp_channel_close(state, channel, Int32(AMQP_REPLY_SUCCESS))
        amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
    }

    // MARK: Topology

    /// Declares the dead-letter exchange and queue, the quorum queue itself, then its delay queues (durable
    /// classic queues, which expire messages reliably). Idempotent.
    public func declare(_ topology: QueueTopology) throws(MessagingError) {
        let strings = CStringArena()
        defer { withExtendedLifetime(strings) {} }  // the C calls below hold its pointers
        amqp_exchange_declare(
            state, channel, strings.bytes(topology.deadLetterExchange), strings.bytes("direct"), 0, 1, 0, 0,
            amqp_empty_table
        )
        try check("declaring exchange \(topology.deadLetterExchange)")
        try declareQueue(topology.deadLetterQueue, arguments: [("x-queue-type", .string("quorum"))])
        amqp_queue_bind(
            state, channel, strings.bytes(topology.deadLetterQueue), strings.bytes(topology.deadLetterExchange),
            strings.bytes(topology.queue), amqp_empty_table
        )
        try check("binding \(topology.deadLetterQueue)")
        try declareQueue(
            topology.queue,
            arguments: [
                ("x-queue-type", .string("quorum")),
                ("x-delivery-limit", .integer(Int64(topology.deliveryLimit))),
                ("x-dead-letter-exchange", .string(topology.deadLetterExchange)),
                ("x-dead-letter-routing-key", .string(topology.queue)),
            ]
        )
        for seconds in topology.retryDelays {
            try declareQueue(
                topology.delayQueue(seconds: seconds),
                arguments: [
                    ("x-message-ttl", .integer(Int64(seconds) * 1000)),
                    ("x-dead-letter-exchange", .string("")),
                    ("x-dead-letter-routing-key", .string(topology.queue)),
                ]
            )
        }
    }

    /// The number of messages ready in a queue (not counting those delivered and unacknowledged).
    public func messageCount(queue: String) throws(MessagingError) -> Int {
        let strings = CStringArena()
        defer { withExtendedLifetime(strings) {} }  // the C calls below hold its pointers
        let ok = amqp_queue_declare(state, channel, strings.bytes(queue), 1, 0, 0, 0, amqp_empty_table)
        try check("inspecting queue \(queue)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    /// Removes every ready message from a queue; returns how many.
    @discardableResult
    public func purge(queue: String) throws(MessagingError) -> Int {
        let strings = CStringArena()
        defer { withExtendedLifetime(strings) {} }  // the C calls below hold its pointers
        let ok = amqp_queue_purge(state, channel, strings.bytes(queue))
        try check("purging queue \(queue)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    private func declareQueue(_ name: String, arguments: [(String, AMQPMessage.HeaderValue)]) throws(MessagingError) {
        let strings = CStringArena()
        defer { withExtendedLifetime(strings) {} }  // the C calls below hold its pointers
        withTable(arguments) { table in
            _ = amqp_queue_declare(state, channel, strings.bytes(name), 0, 1, 0, 0, table)
        }
        try check("declaring queue \(name)")
    }

    // MARK: Publishing

    /// Publishes to the default exchange with the queue's name as routing key and waits for the broker's
    /// confirm (publisher confirms are enabled on first use). Unroutable messages are refused (mandatory).
    public func publish(_ message: AMQPMessage, to queue: String, confirmTimeout: Duration = .seconds(10)) throws(MessagingError) {
        if !confirmsEnabled {
            amqp_confirm_select(state, channel)
            try check("enabling publisher confirms")
            confirmsEnabled = true
        }
        let strings = CStringArena()
        defer { withExtendedLifetime(strings) {} }  // the C calls below hold its pointers
        let status: Int32 = withProperties(message) { properties in
            message.body.withUnsafeBufferPointer { buffer in
                let bytes = amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
                return amqp_basic_publish(
                    state, channel, strings.bytes(""), strings.bytes(queue), 1, 0, properties, bytes
                )
            }
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            throw MessagingError(.unavailable, "publishing failed: \(String(cString: amqp_error_string2(status)))")
        }
        let tag = nextPublishTag
        nextPublishTag += 1
        try awaitConfirm(tag: tag, timeout: confirmTimeout)
    }

    private func awaitConfirm(tag: UInt64, timeout: Duration) throws(MessagingError) {
        var returned = false
        let deadline = ContinuousClock.now + timeout
        while true {
            var frame = amqp_frame_t()
            var tv = Self.timeval(max(deadline - ContinuousClock.now, .milliseconds(1)))
            let status = amqp_simple_wait_frame_noblock(state, &frame, &tv)
            if status == AMQP_STATUS_TIMEOUT.rawValue {
                throw MessagingError(.unavailable, "the broker did not confirm a publish in time")
            }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw MessagingError(.unavailable, "the connection failed while waiting for a confirm")
            }
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { continue }
            switch frame.payload.method.id {
            case CRABBITMQ_BASIC_ACK_METHOD:
                let ack = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                if ack.delivery_tag >= tag || ack.multiple != 0 {
                    if returned { throw MessagingError(.rejected, "the message could not be routed to its queue") }
                    return
                }
            case CRABBITMQ_BASIC_NACK_METHOD:
                throw MessagingError(.rejected, "the broker refused the message")
            case CRABBITMQ_BASIC_RETURN_METHOD:
                // The content of the returned message follows; read and drop it, then wait for the ack.
                returned = true
                var message = amqp_message_t()
                _ = amqp_read_message(state, channel, &message, 0)
                amqp_destroy_message(&message)
            case CRABBITMQ_CHANNEL_CLOSE_METHOD, CRABBITMQ_CONNECTION_CLOSE_METHOD:
                open = false
                throw MessagingError(.unavailable, "the broker closed the channel")
            default:
                continue
            }
        }
    }

    // MARK: Consuming

    /// Starts consuming a queue with manual acknowledgement and at most `prefetch` unacknowledged deliveries.
    public func consume(queue: String, prefetch: UInt16) throws(MessagingError) {
        amqp_basic_qos(state, channel, 0, prefetch, 0)
        try check("setting prefetch")
        let strings = CStringArena()
        defer { withExtendedLifetime(strings) {} }  // the C calls below hold its pointers
        amqp_basic_consume(state, channel, strings.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        try check("consuming \(queue)")
    }

    /// The socket, for poll(2): readable when a frame may be waiting.
    public var fileDescriptor: Int32 { amqp_get_sockfd(state) }

    /// True when rabbitmq-c holds received bytes or frames not yet read, which poll(2) on the socket cannot see.
    public var hasBufferedInput: Bool { amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0 }

    /// The next delivery, or nil when none arrives within `timeout`.
    public func nextDelivery(timeout: Duration) throws(MessagingError) -> AMQPDelivery? {
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var tv = Self.timeval(timeout)
        let reply = amqp_consume_message(state, &envelope, &tv, 0)
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION, reply.library_error == AMQP_STATUS_TIMEOUT.rawValue {
            return nil
        }
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            open = false
            throw MessagingError(.unavailable, "the connection to RabbitMQ was lost")
        }
        defer { amqp_destroy_envelope(&envelope) }
        return AMQPDelivery(
            deliveryTag: envelope.delivery_tag,
            redelivered: envelope.redelivered != 0,
            exchange: Self.string(envelope.exchange) ?? "",
            routingKey: Self.string(envelope.routing_key) ?? "",
            message: Self.message(from: envelope.message)
        )
    }

    public func ack(_ deliveryTag: UInt64) throws(MessagingError) {
        guard amqp_basic_ack(state, channel, deliveryTag, 0) == AMQP_STATUS_OK.rawValue else {
            throw MessagingError(.unavailable, "could not acknowledge a delivery")
        }
    }

    /// Returns a delivery to its queue (`requeue`) or drops it to the dead-letter exchange.
    public func reject(_ deliveryTag: UInt64, requeue: Bool) throws(MessagingError) {
        guard amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0) == AMQP_STATUS_OK.rawValue else {
            throw MessagingError(.unavailable, "could not reject a delivery")
        }
    }

    // MARK: Conversions

    private func check(_ action: String) throws(MessagingError) {
        let reply = amqp_get_rpc_reply(state)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            if reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION {
                open = false
                throw MessagingError(.rejected, "RabbitMQ refused \(action)")
            }
            throw MessagingError(.unavailable, "RabbitMQ failed while \(action)")
        }
    }

    private static func timeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    static func string(_ bytes: amqp_bytes_t) -> String? {
        guard let pointer = bytes.bytes, bytes.len > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: bytes.len), as: UTF8.self)
    }

    static func message(from message: amqp_message_t) -> AMQPMessage {
        let p = message.properties
        func has(_ flag: amqp_flags_t) -> Bool { p._flags & flag != 0 }
        var headers: [String: AMQPMessage.HeaderValue] = [:]
        if has(CRABBITMQ_FLAG_HEADERS), let entries = p.headers.entries {
            for index in 0..<Int(p.headers.num_entries) {
                let entry = entries[index]
                guard let key = string(entry.key) else { continue }
                let value = entry.value
                switch Int(value.kind) {
                case Int(UInt8(ascii: "S")): headers[key] = .string(string(value.value.bytes) ?? "")
                case Int(UInt8(ascii: "x")):
                    let b = value.value.bytes
                    headers[key] = .bytes(b.bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: b.len)) } ?? [])
                case Int(UInt8(ascii: "l")): headers[key] = .integer(value.value.i64)
                case Int(UInt8(ascii: "L")): headers[key] = .integer(Int64(bitPattern: value.value.u64))
                case Int(UInt8(ascii: "I")): headers[key] = .integer(Int64(value.value.i32))
                case Int(UInt8(ascii: "i")): headers[key] = .integer(Int64(value.value.u32))
                case Int(UInt8(ascii: "s")): headers[key] = .integer(Int64(value.value.i16))
                case Int(UInt8(ascii: "b")): headers[key] = .integer(Int64(value.value.i8))
                case Int(UInt8(ascii: "t")): headers[key] = .bool(value.value.boolean != 0)
                case Int(UInt8(ascii: "d")): headers[key] = .double(value.value.f64)
                case Int(UInt8(ascii: "f")): headers[key] = .double(Double(value.value.f32))
                default: continue
                }
            }
        }
        let body = message.body.bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: message.body.len)) } ?? []
        return AMQPMessage(
            body: body,
            contentType: has(CRABBITMQ_FLAG_CONTENT_TYPE) ? string(p.content_type) : nil,
            contentEncoding: has(CRABBITMQ_FLAG_CONTENT_ENCODING) ? string(p.content_encoding) : nil,
            headers: headers,
            persistent: has(CRABBITMQ_FLAG_DELIVERY_MODE) && p.delivery_mode == 2,
            priority: has(CRABBITMQ_FLAG_PRIORITY) ? p.priority : nil,
            correlationID: has(CRABBITMQ_FLAG_CORRELATION_ID) ? string(p.correlation_id) : nil,
            replyTo: has(CRABBITMQ_FLAG_REPLY_TO) ? string(p.reply_to) : nil,
            expiration: has(CRABBITMQ_FLAG_EXPIRATION) ? string(p.expiration) : nil,
            messageID: has(CRABBITMQ_FLAG_MESSAGE_ID) ? string(p.message_id) : nil,
            timestamp: has(CRABBITMQ_FLAG_TIMESTAMP) ? p.timestamp : nil,
            type: has(CRABBITMQ_FLAG_TYPE) ? string(p.type) : nil,
            userID: has(CRABBITMQ_FLAG_USER_ID) ? string(p.user_id) : nil,
            appID: has(CRABBITMQ_FLAG_APP_ID) ? string(p.app_id) : nil
        )
    }

    /// Builds the C properties of a message for the duration of `body`; the strings are copied with strdup
    /// and freed afterwards.
    private func withProperties<R>(_ message: AMQPMessage, _ body: (UnsafePointer<amqp_basic_properties_t>) -> R) -> R {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func bytes(_ string: String) -> amqp_bytes_t {
            let copy = strdup(string)!
            owned.append(copy)
            return amqp_cstring_bytes(copy)
        }
        var p = amqp_basic_properties_t()
        p._flags = CRABBITMQ_FLAG_DELIVERY_MODE
        p.delivery_mode = message.persistent ? 2 : 1
        if let v = message.contentType { p._flags |= CRABBITMQ_FLAG_CONTENT_TYPE; p.content_type = bytes(v) }
        if let v = message.contentEncoding { p._flags |= CRABBITMQ_FLAG_CONTENT_ENCODING; p.content_encoding = bytes(v) }
        if let v = message.priority { p._flags |= CRABBITMQ_FLAG_PRIORITY; p.priority = v }
        if let v = message.correlationID { p._flags |= CRABBITMQ_FLAG_CORRELATION_ID; p.correlation_id = bytes(v) }
        if let v = message.replyTo { p._flags |= CRABBITMQ_FLAG_REPLY_TO; p.reply_to = bytes(v) }
        if let v = message.expiration { p._flags |= CRABBITMQ_FLAG_EXPIRATION; p.expiration = bytes(v) }
        if let v = message.messageID { p._flags |= CRABBITMQ_FLAG_MESSAGE_ID; p.message_id = bytes(v) }
        if let v = message.timestamp { p._flags |= CRABBITMQ_FLAG_TIMESTAMP; p.timestamp = v }
        if let v = message.type { p._flags |= CRABBITMQ_FLAG_TYPE; p.type = bytes(v) }
        if let v = message.appID { p._flags |= CRABBITMQ_FLAG_APP_ID; p.app_id = bytes(v) }
        let headerPairs = message.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if headerPairs.isEmpty {
            return body(&p)
        }
        p._flags |= CRABBITMQ_FLAG_HEADERS
        return withTable(headerPairs) { table in
            p.headers = table
            return body(&p)
        }
    }

    /// Builds a C table of string and integer entries for the duration of `body`.
    private func withTable<R>(_ pairs: [(String, AMQPMessage.HeaderValue)], _ body: (amqp_table_t) -> R) -> R {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func copy(_ string: String) -> UnsafeMutablePointer<CChar> {
            let c = strdup(string)!
            owned.append(c)
            return c
        }
        var entries: [amqp_table_entry_t] = pairs.compactMap { key, value in
            switch value {
            case .string(let s): return crabbitmq_entry_utf8(copy(key), copy(s))
            case .integer(let i): return crabbitmq_entry_i64(copy(key), i)
            case .bytes(let b): return crabbitmq_entry_utf8(copy(key), copy(String(decoding: b, as: UTF8.self)))
            case .bool(let flag): return crabbitmq_entry_i64(copy(key), flag ? 1 : 0)
            case .double(let d): return crabbitmq_entry_utf8(copy(key), copy(String(d)))
            }
        }
        return entries.withUnsafeMutableBufferPointer { buffer in
            body(amqp_table_t(num_entries: Int32(buffer.count), entries: buffer.baseAddress))
        }
    }
}

/// C strings that must outlive the call that makes them: `amqp_cstring_bytes` keeps the pointer, so a Swift
/// string's temporary pointer would dangle. Freed when the arena goes.
final class CStringArena {
    private var owned: [UnsafeMutablePointer<CChar>] = []

    func bytes(_ string: String) -> amqp_bytes_t {
        amqp_cstring_bytes(pointer(string))
    }

    func pointer(_ string: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(string)!
        owned.append(copy)
        return copy
    }

    deinit { owned.forEach { free($0) } }
}
