/// `{request_id, data}`.
public struct ItemResponse<Item: Sendable & Codable>: Sendable, Codable {
    public var requestId: String?
    public var data: Item

    public init(requestId: String?, data: Item) {
        self.requestId = requestId
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case requestId = "request_id"
        case data
    }
}

/// `{request_id, data: [...], limit, offset}`.
public struct ListResponse<Item: Sendable & Codable>: Sendable, Codable {
    public var requestId: String?
    public var data: [Item]
    public var limit: Int?
    public var offset: Int?

    public init(requestId: String?, data: [Item], limit: Int?, offset: Int?) {
        self.requestId = requestId
        self.data = data
        self.limit = limit
        self.offset = offset
    }

    enum CodingKeys: String, CodingKey {
        case requestId = "request_id"
        case data, limit, offset
    }
}

/// `{request_id}`, the answer of a delete.
public struct DeleteResponse: Sendable, Codable {
    public var requestId: String?

    public init(requestId: String?) { self.requestId = requestId }

    enum CodingKeys: String, CodingKey {
        case requestId = "request_id"
    }
}

/// The Nylas error envelope: `{"request_id", "error": {"type", "message", "provider_error"}}`.
public struct ErrorEnvelope: Sendable, Codable {
    public struct Body: Sendable, Codable {
        public var type: String?
        public var message: String?
        public var providerError: JSONValue?

        public init(type: String?, message: String?, providerError: JSONValue? = nil) {
            self.type = type
            self.message = message
            self.providerError = providerError
        }

        enum CodingKeys: String, CodingKey {
            case type, message
            case providerError = "provider_error"
        }
    }

    public var requestId: String?
    public var error: Body

    public init(requestId: String?, error: Body) {
        self.requestId = requestId
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case requestId = "request_id"
        case error
    }
}
