import PostgresClient

extension SnapshotReader {
    /// Roles and the access lists of the schemas, sequences and tables the snapshot keeps,
    /// with the default privileges: four bulk queries, whatever the object count.
    func readAccess(
        _ connection: Connection, sequences: [SequenceInfo], columns: [ColumnInfo], options: SnapshotOptions
    ) throws -> Access {
        let version = connection.serverVersionNumber
        var roles: [String: RoleInfo] = [:]
        let roleRows = try connection.query(CatalogQueries.roles(serverVersion: version))
        for row in 0..<roleRows.count {
            let name = try roleRows.string(row, "name")
            let superuser = try roleRows.bool(row, "superuser")
            var role = roles[name] ?? RoleInfo(name: name, superuser: superuser)
            if let parent = try roleRows.optionalString(row, "inherits") { role.inherits.append(parent) }
            roles[name] = role
        }

        // The database's owner is a member of pg_database_owner (PostgreSQL 14+) in its own
        // database, which owns the public schema from 15 on; the catalogs do not list it.
        let databaseOwner = try connection.query(
            "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()"
        ).string(0, "owner")
        if roles["pg_database_owner"] != nil { roles[databaseOwner]?.inherits.append("pg_database_owner") }

        // Tables and sequences: the default list (nil) unless the catalog holds one.
        var lists: [RelationKind: [QualifiedName: [Grant]]] = [:]
        let relationRows = try connection.query(CatalogQueries.relationACLs)
        for row in 0..<relationRows.count {
            let name = QualifiedName(schema: try relationRows.string(row, "schema"), name: try relationRows.string(row, "name"))
            let kind: RelationKind = try relationRows.bool(row, "is_sequence") ? .sequence : .table
            lists[kind, default: [:]][name, default: []] += try Self.grant(relationRows, row).map { [$0] } ?? []
        }
        let relations = sequences.map {
            RelationACL(name: $0.name, kind: .sequence, owner: $0.owner, acl: lists[.sequence]?[$0.name])
        }
        var seenTables = Set<QualifiedName>()
        let tables = columns.filter { seenTables.insert($0.ref.table).inserted }.map {
            RelationACL(name: $0.ref.table, kind: .table, owner: $0.tableOwner, acl: lists[.table]?[$0.ref.table])
        }

        var schemas: [String: SchemaACL] = [:]
        let schemaRows = try connection.query(CatalogQueries.schemaACLs)
        for row in 0..<schemaRows.count {
            let name = try schemaRows.string(row, "name")
            guard options.includes(schema: name) else { continue }
            let owner = try schemaRows.string(row, "owner"), isDefault = try schemaRows.bool(row, "default_acl")
            var schema = schemas[name] ?? SchemaACL(name: name, owner: owner, acl: isDefault ? nil : [])
            if let grant = try Self.grant(schemaRows, row) { schema.acl?.append(grant) }
            schemas[name] = schema
        }

        var defaults: [[String]: DefaultACL] = [:]
        let defaultRows = try connection.query(CatalogQueries.defaultACLs)
        for row in 0..<defaultRows.count {
            let schema = try defaultRows.optionalString(row, "schema")
            guard schema.map(options.includes(schema:)) ?? true,
                  let type = DefaultACL.ObjectType(catalogCode: try defaultRows.string(row, "object_type")) else { continue }
            let role = try defaultRows.string(row, "role")
            let key = [role, schema ?? "", type.rawValue]
            var entry = defaults[key] ?? DefaultACL(role: role, schema: schema, objectType: type, grants: [])
            if let grant = try Self.grant(defaultRows, row) { entry.grants.append(grant) }
            defaults[key] = entry
        }
        // Through the initializers again, which sort what was appended.
        return Access(roles: roles.values.map { RoleInfo(name: $0.name, superuser: $0.superuser, inherits: $0.inherits) },
                      schemas: schemas.values.map { SchemaACL(name: $0.name, owner: $0.owner, acl: $0.acl) },
                      relations: relations + tables,
                      defaultPrivileges: defaults.values.map {
                          DefaultACL(role: $0.role, schema: $0.schema, objectType: $0.objectType, grants: $0.grants)
                      })
    }

    /// The row's grant, or nil on the row of an empty list.
    private static func grant(_ result: QueryResult, _ row: Int) throws -> Grant? {
        guard let grantee = try result.optionalString(row, "grantee") else { return nil }
        return Grant(grantee: grantee, privilege: try result.string(row, "privilege"),
                     grantable: try result.bool(row, "grantable"))
    }
}
