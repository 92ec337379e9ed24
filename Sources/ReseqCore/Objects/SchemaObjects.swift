import Foundation
import PostgresClient

/// The whole shape of a database beyond its sequences: schemas, extensions, types, tables with
/// their columns, constraints, indexes, triggers and policies, views and functions. Each kind
/// keeps its model, its catalog query and its comparison in its own file of this folder.
/// Arrays are sorted by identity.
public struct SchemaObjects: Codable, Hashable, Sendable {
    public var schemas: [SchemaDef]
    public var extensions: [ExtensionDef]
    public var types: [TypeDef]
    public var tables: [TableDef]
    public var views: [ViewDef]
    public var functions: [FunctionDef]
    /// Tables and views whose definitions were not read (another session held an ACCESS
    /// EXCLUSIVE lock on them); the diff says nothing about them.
    public var unread: [QualifiedName] = []

    public init(schemas: [SchemaDef] = [], extensions: [ExtensionDef] = [], types: [TypeDef] = [],
                tables: [TableDef] = [], views: [ViewDef] = [], functions: [FunctionDef] = []) {
        self.schemas = schemas.sorted { $0.name < $1.name }
        self.extensions = extensions.sorted { $0.name < $1.name }
        self.types = types.sorted { $0.name < $1.name }
        self.tables = tables.sorted { $0.name < $1.name }
        self.views = views.sorted { $0.name < $1.name }
        self.functions = functions.sorted { ($0.name, $0.arguments) < ($1.name, $1.arguments) }
    }
}

// MARK: - Reading

extension SchemaObjects {
    /// One bulk query per kind, inside the snapshot's repeatable-read transaction. Deparsed with
    /// `search_path` set to pg_catalog alone, so every name outside it comes out qualified,
    /// whatever the session's path: definitions of two databases then compare as text.
    ///
    /// Some deparsers (`pg_get_indexdef`, `pg_get_expr` with a table, `pg_get_viewdef`) take
    /// an ACCESS SHARE lock, so a relation another session holds (or waits for) in ACCESS
    /// EXCLUSIVE mode is left out and named in `unread`, instead of the snapshot waiting on it.
    /// A lock taken between that look and the read runs into a short `lock_timeout`; the read
    /// then starts over from a savepoint, with the new lock known.
    static func read(_ connection: Connection, options: SnapshotOptions) throws -> SchemaObjects {
        try read(connection, options: options, part: .all).assembled()
    }

    /// The share of the shape that `part` names, read as above. Shares read on several
    /// sessions in one exported snapshot are joined with `ShapePieces.merge`.
    static func read(_ connection: Connection, options: SnapshotOptions, part: ShapePart) throws -> ShapePieces {
        let settings = CatalogSQL.bulkSettings(serverVersion: connection.serverVersionNumber)
            + ["search_path = pg_catalog", "lock_timeout = '500ms'"]
        for attempt in 1...5 {
            try connection.execute("SAVEPOINT reseq_objects")
            do {
                try connection.execute(settings.map { "SET LOCAL \($0)" }.joined(separator: "; "))
                let locked = try connection.query(CatalogScope.lockedQuery)
                let scope = CatalogScope(serverVersion: connection.serverVersionNumber,
                                         locked: try (0..<locked.count).map { try locked.string($0, "oid") },
                                         tables: part.definitions ?? .all)
                var pieces = try read(connection, scope: scope, options: options, part: part)
                pieces.unread = try (0..<locked.count).compactMap { row in
                    guard let name = try locked.optionalString(row, "name"),
                          options.includes(schema: try locked.string(row, "schema")) else { return nil }
                    return QualifiedName(schema: try locked.string(row, "schema"), name: name)
                }
                try connection.execute("ROLLBACK TO SAVEPOINT reseq_objects; RELEASE SAVEPOINT reseq_objects")
                return pieces
            } catch let error as PostgresError where error.sqlState == .lockNotAvailable && attempt < 5 {
                try connection.execute("ROLLBACK TO SAVEPOINT reseq_objects; RELEASE SAVEPOINT reseq_objects")
            }
        }
        throw SnapshotError("the schema objects could not be read: locks kept changing; try again.")
    }

    private static func read(_ connection: Connection, scope: CatalogScope, options: SnapshotOptions,
                             part: ShapePart) throws -> ShapePieces {
        func rows(_ sql: String) throws -> QueryResult { try connection.query(sql) }
        let included = { (schema: String) in options.includes(schema: schema) }
        var pieces = ShapePieces()
        if part.catalog {
            pieces.schemas = try SchemaDef.read(rows(SchemaDef.query(scope))).filter { included($0.name) }
            pieces.extensions = try ExtensionDef.read(rows(ExtensionDef.query(scope)))
                .filter { included($0.schema) || SnapshotOptions.isSystem($0.schema) }
            let acls = ACLReader()
            pieces.types = try TypeDef.read(rows(TypeDef.query(scope)), acls: acls).filter { included($0.name.schema) }
            pieces.tables = try TableDef.read(tables: rows(TableDef.query(scope)), columns: rows(ColumnDef.query(scope)), acls: acls)
                .filter { included($0.name.schema) }
            pieces.functions = try FunctionDef.read(rows(FunctionDef.query(scope)), acls: acls).filter { included($0.name.schema) }
        }
        if part.definitions != nil {
            pieces.constraints = try ConstraintDef.read(rows(ConstraintDef.query(scope)))
            pieces.indexes = try IndexDef.read(rows(IndexDef.query(scope)))
            pieces.triggers = try TriggerDef.read(rows(TriggerDef.query(scope)))
            pieces.policies = try PolicyDef.read(rows(PolicyDef.query(scope)))
        }
        if part.views {
            pieces.views = try ViewDef.read(rows(ViewDef.query(scope)), acls: ACLReader()).filter { included($0.name.schema) }
            let dependencyRows = try rows(ViewDef.dependencyQuery(scope))
            pieces.dependencies = try SchemaObjects.byTable(dependencyRows) { row in
                QualifiedName(schema: try dependencyRows.string(row, "dep_schema"), name: try dependencyRows.string(row, "dep_name"))
            }
        }
        return pieces
    }

    /// A `to_json(ARRAY[…])::text` column as strings.
    static func strings(_ json: String?) -> [String] {
        guard let json else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }

    /// Rows grouped by their table (`schema`, `table` columns), in query order.
    static func byTable<T>(_ result: QueryResult, _ make: (Int) throws -> T) throws -> [QualifiedName: [T]] {
        var grouped: [QualifiedName: [T]] = [:]
        for row in 0..<result.count {
            let table = QualifiedName(schema: try result.string(row, "schema"), name: try result.string(row, "table"))
            grouped[table, default: []].append(try make(row))
        }
        return grouped
    }

    /// Leaves out objects an extension created (`pg_depend` deptype `e`); `alias.oid` in `catalog`.
    /// Such a dependency always references the extension: naming `refclassid` lets the server
    /// find the few of them through `pg_depend_reference_index` instead of scanning the whole
    /// of `pg_depend` (a quarter of a million rows at 10,000 tables) once in each query.
    static func notFromExtension(_ alias: String, _ catalog: String) -> String {
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.refclassid = 'pg_extension'::regclass AND e.classid = '\(catalog)'::regclass AND e.objid = \(alias).oid AND e.deptype = 'e')"
    }
}

/// What the catalog queries of one snapshot share: the server's version and the relations
/// they must not deparse.
struct CatalogScope {
    var serverVersion: Int
    /// Oids of relations held or awaited in ACCESS EXCLUSIVE mode by another session.
    var locked: [String]
    /// The tables whose constraints, indexes, triggers and policies are read.
    var tables: ShapePart.Tables = .all

    /// A condition leaving out the locked relations: `alias.oid` is not one of them.
    func readable(_ alias: String) -> String {
        locked.isEmpty ? "true" : "\(alias).oid NOT IN (\(locked.joined(separator: ", ")))"
    }

    /// A condition keeping the tables of `tables`: `schema.nspname` and `table.relname` are
    /// compared as `name`s, byte by byte, so that `.before(x)` and `.from(x)` share no table
    /// and miss none.
    func inRange(_ schema: String, _ table: String) -> String {
        switch tables {
        case .all: return "true"
        case .before(let key): return "(\(schema).nspname, \(table).relname) < \(Self.row(key))"
        case .from(let key): return "(\(schema).nspname, \(table).relname) >= \(Self.row(key))"
        }
    }

    private static func row(_ key: QualifiedName) -> String {
        "(\(SQL.literal(key.schema))::name, \(SQL.literal(key.name))::name)"
    }

    static let lockedQuery = """
        SELECT DISTINCT l.relation::text AS oid, n.nspname AS schema, c.relname AS name
        FROM pg_locks l
        LEFT JOIN pg_class c ON c.oid = l.relation
        LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """
}

// MARK: - Comparing

/// What the comparison of two shapes needs besides the objects.
struct ObjectsContext: Sendable {
    var source: SchemaObjects
    var target: SchemaObjects
    var roles: RoleMap
    /// Source enum and other user types by the name `format_type` prints, for type changes.
    var sourceTypes: [String: TypeDef]

    init(source: SchemaObjects, target: SchemaObjects, roles: RoleMap) {
        self.source = source
        self.target = target
        self.roles = roles
        sourceTypes = Dictionary(source.types.map { ($0.formatted, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// An owner finding when the target's owner is not the source's (mapped) one.
    func owner(_ id: ObjectID, _ source: String, _ target: String) -> [Finding] {
        let wanted = roles.target(source)
        guard wanted != target else { return [] }
        return [Finding(.ownerDiffers, .info, id, source: source, target: target,
                        "\(id) is owned by \(target) on the target, \(source) on the source; changing it later needs that role.")]
    }
}

enum ObjectsDiff {
    /// Every object missing on the target, differing, or only on the target, as jobs that run
    /// on their own and return the findings in order: the tables' comparison (most of the
    /// work) in `tableParts` pieces.
    static func jobs(source: SchemaObjects, target: SchemaObjects, roles: RoleMap, tableParts: Int) -> [@Sendable () -> [Finding]] {
        // What either side could not read is told as a snapshot warning, not as a difference.
        let unread = Set(source.unread + target.unread)
        var source = source, target = target
        if !unread.isEmpty {
            source.tables.removeAll { unread.contains($0.name) }
            target.tables.removeAll { unread.contains($0.name) }
            source.views.removeAll { unread.contains($0.name) }
            target.views.removeAll { unread.contains($0.name) }
        }
        let context = ObjectsContext(source: source, target: target, roles: roles)
        let tables = TableDef.findingJobs(context, parts: tableParts)
        return [{ SchemaDef.findings(context) + ExtensionDef.findings(context) + TypeDef.findings(context) }]
            + tables + [{ ViewDef.findings(context) + FunctionDef.findings(context) }]
    }
}
