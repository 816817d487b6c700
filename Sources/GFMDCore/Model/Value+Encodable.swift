extension Value: Encodable {
    /// Encodes a string as a JSON string, a list as an array of strings, and a
    /// value of unknown kind as `{"kind": n, "bytes": "hex"}`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let s):
            var container = encoder.singleValueContainer()
            try container.encode(s)
        case .list(let items):
            var container = encoder.singleValueContainer()
            try container.encode(items)
        case .unknown(let kind, let payload):
            var container = encoder.container(keyedBy: UnknownKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(Hex.encode(payload), forKey: .bytes)
        }
    }

    private enum UnknownKeys: String, CodingKey { case kind, bytes }
}

extension HybridTimestamp: Encodable {
    /// Encodes the timestamp as ISO 8601 text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

extension Hash256: Encodable {
    /// Encodes the hash as 64 hexadecimal digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

extension SiteID: Encodable {
    /// Encodes the id as 32 hexadecimal digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

extension RecordID: Encodable {
    /// Encodes the id as 32 hexadecimal digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
