/// A schema-qualified object name, kept exactly as the catalog spells it (never folded or quoted).
public struct QualifiedName: Codable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var schema: String
    public var name: String

    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.schema, lhs.name) < (rhs.schema, rhs.name)
    }

    /// For people: `public.django_migrations`. SQL uses `SQL.qualified(_:)` instead.
    public var description: String { "\(schema).\(name)" }
}

/// A column of a table: what a sequence is OWNED BY, or what draws from it.
public struct ColumnRef: Codable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var table: QualifiedName
    public var column: String

    public init(table: QualifiedName, column: String) {
        self.table = table
        self.column = column
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.table, lhs.column) < (rhs.table, rhs.column)
    }

    public var description: String { "\(table).\(column)" }
}
