import Foundation
import PostgresClient

extension SnapshotReader {
    func readDatabaseInfo(_ connection: Connection, options: SnapshotOptions) throws -> DatabaseInfo {
        let result = try connection.query("""
            SELECT current_database() AS name, current_setting('server_version') AS version,
                   current_setting('server_version_num') AS version_num,
                   has_function_privilege('pg_control_system()', 'EXECUTE') AS may_read_control,
                   (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS oid,
                   extract(epoch FROM pg_postmaster_start_time())::text AS started
            """)
        var systemIdentifier: String?
        if try result.bool(0, "may_read_control") {
            // Only tells clusters apart; never worth failing the snapshot for.
            try connection.execute("SAVEPOINT reseq_control")
            do {
                systemIdentifier = try connection.query("SELECT system_identifier::text AS id FROM pg_control_system()")
                    .optionalString(0, "id")
                try connection.execute("RELEASE SAVEPOINT reseq_control")
            } catch let error as PostgresError where !(error.sqlState?.isConnectionLoss ?? true) {
                try connection.execute("ROLLBACK TO SAVEPOINT reseq_control")
            }
        }
        return DatabaseInfo(
            name: try result.string(0, "name"),
            host: options.host ?? connection.host,
            port: options.port ?? connection.port,
            serverVersion: try result.string(0, "version"),
            serverVersionNumber: try result.int(0, "version_num"),
            systemIdentifier: systemIdentifier,
            oid: try result.optionalString(0, "oid"),
            postmasterStartTime: try result.optionalString(0, "started"),
            capturedAt: options.clock())
    }

    func readSequences(_ connection: Connection) throws -> [SequenceRow] {
        let result = try CatalogSQL.bulkQuery(connection, CatalogQueries.sequences)
        return try (0..<result.count).map { row in
            let typeName = try result.string(row, "data_type")
            guard let dataType = SequenceType(catalogName: typeName) else {
                throw SnapshotError("sequence \(try result.string(row, "schema")).\(try result.string(row, "name")) has unexpected type \(typeName)")
            }
            var ownedBy: ColumnRef?
            if let schema = try result.optionalString(row, "owned_schema"),
               let table = try result.optionalString(row, "owned_table"),
               let column = try result.optionalString(row, "owned_column") {
                ownedBy = ColumnRef(table: QualifiedName(schema: schema, name: table), column: column)
            }
            var info = SequenceInfo(
                name: QualifiedName(schema: try result.string(row, "schema"), name: try result.string(row, "name")),
                owner: try result.string(row, "owner"),
                dataType: dataType,
                start: try result.int64(row, "start"),
                increment: try result.int64(row, "increment"),
                minValue: try result.int64(row, "min_value"),
                maxValue: try result.int64(row, "max_value"),
                cache: try result.int64(row, "cache"),
                cycle: try result.bool(row, "cycle"),
                unlogged: try result.bool(row, "unlogged"),
                lastValue: nil,
                isCalled: false,
                ownedBy: ownedBy,
                isIdentity: try result.optionalString(row, "owned_kind") == "i",
                fromExtension: try result.optionalString(row, "extension"))
            info.comment = try result.optionalString(row, "comment")
            return SequenceRow(info: info, readable: try result.bool(row, "readable"), oid: try result.string(row, "oid"))
        }
    }

    func readColumns(_ connection: Connection, extra: [ColumnRef]) throws -> [ColumnRow] {
        let result = try CatalogSQL.bulkQuery(connection, CatalogQueries.columns(serverVersion: connection.serverVersionNumber), [
            CatalogSQL.textArray(extra.map(\.table.schema)),
            CatalogSQL.textArray(extra.map(\.table.name)),
            CatalogSQL.textArray(extra.map(\.column)),
        ])
        var rows = try (0..<result.count).map { row in
            let table = QualifiedName(schema: try result.string(row, "schema"), name: try result.string(row, "table_name"))
            var defaultSequence: QualifiedName?
            if let schema = try result.optionalString(row, "default_seq_schema"),
               let name = try result.optionalString(row, "default_seq_name") {
                defaultSequence = QualifiedName(schema: schema, name: name)
            }
            var parent: QualifiedName?
            if let schema = try result.optionalString(row, "parent_schema"),
               let name = try result.optionalString(row, "parent_table") {
                parent = QualifiedName(schema: schema, name: name)
            }
            let identity = IdentityKind(catalogCode: try result.optionalString(row, "identity"))
            let info = ColumnInfo(
                ref: ColumnRef(table: table, column: try result.string(row, "column_name")),
                dataType: try result.string(row, "data_type"),
                notNull: try result.bool(row, "not_null"),
                tableOwner: try result.string(row, "table_owner"),
                defaultExpression: try result.optionalString(row, "default_expr"),
                defaultSequence: defaultSequence,
                identity: identity,
                partitionOf: parent,
                dataRead: .read)
            return ColumnRow(
                info: info, readable: try result.bool(row, "readable"),
                estimatedRows: try result.double(row, "est_rows"),
                indexed: try result.bool(row, "indexed"))
        }
        let trees = try (0..<result.count).filter { try result.bool($0, "in_tree") }
        guard !trees.isEmpty else { return rows }
        // Rare (partitioned and inheritance parents), so sized in a second, per-table query.
        let sizes = try connection.query(CatalogQueries.treeSizes, [
            CatalogSQL.textArray(try trees.map { try result.string($0, "relid") }),
            CatalogSQL.textArray(trees.map { rows[$0].info.ref.column }),
        ])
        var found: [Int: (Double, Bool)] = [:]
        for row in 0..<sizes.count {
            found[try sizes.int(row, "k")] = (try sizes.double(row, "est_rows"), try sizes.bool(row, "indexed"))
        }
        for (position, index) in trees.enumerated() {
            // No descendant holds rows (a partitioned table without partitions): nothing to scan.
            (rows[index].estimatedRows, rows[index].indexed) = found[position + 1] ?? (0, true)
        }
        return rows
    }
}
