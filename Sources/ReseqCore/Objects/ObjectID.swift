/// The typed identity of a schema object: its kind and schema-qualified name; a column,
/// constraint, index, trigger or policy under its table; a function with its argument types.
/// Never a dotted string: schema `a.b` with table `c` and schema `a` with table `b.c` differ.
public enum ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    case schema(String)
    case `extension`(String)
    case type(QualifiedName)
    case table(QualifiedName)
    case column(QualifiedName, String)
    case constraint(QualifiedName, String)
    /// An index is named in its table's schema; keyed under its table (or materialized view).
    case index(QualifiedName, String)
    case trigger(QualifiedName, String)
    case policy(QualifiedName, String)
    case view(QualifiedName)
    /// `pg_get_function_identity_arguments`: overloads are different functions.
    case function(QualifiedName, arguments: String)

    /// For people; SQL quotes names with `SQL` instead.
    public var description: String {
        switch self {
        case .schema(let name), .extension(let name): return name
        case .type(let name), .table(let name), .view(let name): return name.description
        case .column(let table, let name), .constraint(let table, let name), .trigger(let table, let name),
             .policy(let table, let name):
            return "\(table).\(name)"
        case .index(let table, let name): return "\(table.schema).\(name)"
        case .function(let name, let arguments): return "\(name)(\(arguments))"
        }
    }

    /// The schema a finding about it is grouped under.
    var schema: String {
        switch self {
        case .schema(let name): return name
        case .extension: return ""
        case .type(let name), .table(let name), .view(let name), .function(let name, _): return name.schema
        case .column(let table, _), .constraint(let table, _), .index(let table, _), .trigger(let table, _),
             .policy(let table, _):
            return table.schema
        }
    }

    /// The table (or view) a finding about it is grouped under.
    var table: String? {
        switch self {
        case .schema, .extension, .type, .function: return nil
        case .table(let name), .view(let name): return name.name
        case .column(let table, _), .constraint(let table, _), .index(let table, _), .trigger(let table, _),
             .policy(let table, _):
            return table.name
        }
    }
}

extension Finding {
    /// A finding about a schema object, grouped under its schema and table.
    init(_ kind: Kind, _ severity: Severity, _ id: ObjectID, source: String?, target: String?, _ consequence: String) {
        self.init(kind: kind, severity: severity, object: id.description, schema: id.schema, table: id.table,
                  sourceValue: source, targetValue: target, consequence: consequence)
    }
}

/// Pairs two sorted-or-not lists of objects by identity: what both have, what only the source
/// has, what only the target has. Linear, in the source's order.
struct Matched<T> {
    var both: [(source: T, target: T)] = []
    var missing: [T] = []
    var extra: [T] = []

    init<K: Hashable>(_ source: [T], _ target: [T], by key: (T) -> K) {
        var byKey: [K: T] = Dictionary(minimumCapacity: target.count)
        for item in target { byKey[key(item)] = item }
        var seen = Set<K>()
        for item in source {
            let k = key(item)
            seen.insert(k)
            if let other = byKey[k] { both.append((item, other)) } else { missing.append(item) }
        }
        extra = target.filter { !seen.contains(key($0)) }
    }
}

/// Definitions compared for meaning where versions print the same thing differently.
enum Definition {
    /// Whitespace runs as one space, no trailing `;`, no space just inside parentheses.
    static func normalized(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for character in text {
            if character.isWhitespace { pendingSpace = !out.isEmpty; continue }
            if pendingSpace, character != ")", out.last != "(" { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
        while out.hasSuffix(";") || out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    static func same(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return x == y || normalized(x) == normalized(y)
        default: return false
        }
    }

    /// The first parenthesised list of a definition, e.g. `(customer_id)`; for sentences only.
    static func firstList(_ text: String) -> String {
        guard let open = text.firstIndex(of: "(") else { return "" }
        var depth = 0
        var index = open
        while index < text.endIndex {
            if text[index] == "(" { depth += 1 }
            if text[index] == ")" { depth -= 1; if depth == 0 { return String(text[open...index]) } }
            index = text.index(after: index)
        }
        return String(text[open...])
    }
}
