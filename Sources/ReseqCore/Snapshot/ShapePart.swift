import PostgresClient

/// Which of the shape's queries one session runs. The definitions that open each table to
/// deparse it (constraints and indexes, with triggers and policies) are read by the two
/// sessions that then read the tables' data, each for the tables it reads first: a table's
/// relation cache entry, built once by the deparser, serves its `max()` read too, which saves
/// the server about a sixth of a snapshot. The rest of the shape, which opens no table, is
/// read on a third session.
struct ShapePart: Sendable {
    /// Tables by (schema, name), split at a key.
    enum Tables: Sendable, Equatable {
        case all
        case before(QualifiedName)
        case from(QualifiedName)
    }

    /// Schemas, extensions, types, tables with their columns, functions.
    var catalog: Bool
    /// Constraints, indexes, triggers and policies of these tables; `nil` for none.
    var definitions: Tables?
    var views: Bool

    static let all = ShapePart(catalog: true, definitions: .all, views: true)
    static let catalogOnly = ShapePart(catalog: true, definitions: nil, views: false)

    /// The table that splits the tables in two halves of about the same size, in the order
    /// the data reads take them (the first session from the front, the second from the back).
    /// The second session runs it, in the snapshot both share, and hands the key to the first.
    /// One scan and one sort in memory: with a second scan to count, on the default work_mem
    /// and parallel workers, it cost seven times as much at 50,000 tables as at 10,000.
    static let middleQuery = """
        SELECT schema, name FROM (
            SELECT n.nspname AS schema, c.relname AS name,
                   row_number() OVER (ORDER BY n.nspname, c.relname) AS position, count(*) OVER () AS total
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND \(CatalogSQL.userSchemas)) tables
        WHERE position = total / 2 + 1
        """

    /// The table `middleQuery` names; `nil` when there is no table.
    static func middle(_ connection: Connection) throws -> QualifiedName? {
        let result = try CatalogSQL.bulkQuery(connection, middleQuery)
        guard result.count == 1 else { return nil }
        return QualifiedName(schema: try result.string(0, "schema"), name: try result.string(0, "name"))
    }
}

/// What one or more shares of the shape read; `assembled()` puts the definitions under their
/// tables and views.
struct ShapePieces: Sendable {
    var schemas: [SchemaDef] = []
    var extensions: [ExtensionDef] = []
    var types: [TypeDef] = []
    var tables: [TableDef] = []
    var functions: [FunctionDef] = []
    var views: [ViewDef] = []
    var constraints: [QualifiedName: [ConstraintDef]] = [:]
    var indexes: [QualifiedName: [IndexDef]] = [:]
    var triggers: [QualifiedName: [TriggerDef]] = [:]
    var policies: [QualifiedName: [PolicyDef]] = [:]
    /// What each view reads (`ViewDef.dependsOn`).
    var dependencies: [QualifiedName: [QualifiedName]] = [:]
    /// Relations some share could not read: the union of every share's.
    var unread: [QualifiedName] = []

    /// Joins another share's pieces; the shares read different kinds or different tables.
    mutating func merge(_ other: ShapePieces) {
        schemas += other.schemas
        extensions += other.extensions
        types += other.types
        tables += other.tables
        functions += other.functions
        views += other.views
        constraints.merge(other.constraints) { $0 + $1 }
        indexes.merge(other.indexes) { $0 + $1 }
        triggers.merge(other.triggers) { $0 + $1 }
        policies.merge(other.policies) { $0 + $1 }
        dependencies.merge(other.dependencies) { $0 + $1 }
        unread += other.unread
    }

    func assembled() -> SchemaObjects {
        var tables = tables
        for index in tables.indices {
            let name = tables[index].name
            tables[index].constraints = (constraints[name] ?? []).sorted { $0.name < $1.name }
            tables[index].indexes = (indexes[name] ?? []).sorted { $0.name < $1.name }
            tables[index].triggers = (triggers[name] ?? []).sorted { $0.name < $1.name }
            tables[index].policies = (policies[name] ?? []).sorted { $0.name < $1.name }
        }
        var views = views
        for index in views.indices {
            views[index].indexes = (indexes[views[index].name] ?? []).sorted { $0.name < $1.name }
            views[index].dependsOn = (dependencies[views[index].name] ?? []).sorted()
        }
        var objects = SchemaObjects(schemas: schemas, extensions: extensions, types: types, tables: tables,
                                    views: views, functions: functions)
        objects.unread = Array(Set(unread)).sorted()
        return objects
    }
}
