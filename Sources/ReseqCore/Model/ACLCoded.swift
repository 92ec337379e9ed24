/// An access list kept in a shape object (`acl` of a table, column, view, function or type):
/// `nil` is the default (NULL in the catalog), else the grants. Files keep it as
/// `RelationACL.acl` is kept, one `ACLEntry` per grantee, and leave it out when nil, so a
/// shape without grants is no bigger than before and files written before are read as
/// having the default.
@propertyWrapper
public struct ACLCoded: Codable, Hashable, Sendable {
    public var wrappedValue: [Grant]?

    public init(wrappedValue: [Grant]?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(wrappedValue: container.decodeNil() ? nil : ACLEntry.grants(try container.decode([ACLEntry].self)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(ACLEntry.entries(wrappedValue)) } else { try container.encodeNil() }
    }
}

// The synthesized coding of a struct with an `@ACLCoded` field calls these (the more specific
// overload wins): absent when nil, as an optional field would be.
extension KeyedDecodingContainer {
    func decode(_ type: ACLCoded.Type, forKey key: Key) throws -> ACLCoded {
        ACLCoded(wrappedValue: try decodeIfPresent([ACLEntry].self, forKey: key).map { ACLEntry.grants($0) })
    }
}

extension KeyedEncodingContainer {
    mutating func encode(_ value: ACLCoded, forKey key: Key) throws {
        try encodeIfPresent(value.wrappedValue.map(ACLEntry.entries), forKey: key)
    }
}
