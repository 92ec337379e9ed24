import Foundation

/// Reads a snapshot file about ten times faster than `JSONDecoder` (most of `reseq diff` at
/// 10,000 sequences), straight into the model. It takes only what it is sure of: anything
/// unusual (a bad escape, a fraction, a missing or repeated field, a wrong type) makes it
/// answer `nil`, and the caller decodes with `JSONDecoder`, which then names the problem.
/// Tests hold the two equal, on samples and on mutated files.
enum SnapshotJSONReader {
    static func read(_ data: Data) -> Snapshot? {
        data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            guard let snapshot = reader.snapshot(), reader.atEnd() else { return nil }
            return snapshot
        }
    }

    /// Codable's rules: required fields present and not null, optional ones absent or null,
    /// unknown keys ignored. Each `decode…` returns nil when anything is off.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        /// Privilege lists already split: a few distinct ones, repeated on every table.
        var privilegeLists: [String: [String]] = [:]

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func atEnd() -> Bool {
            skipSpace()
            return index == bytes.count
        }

        // MARK: The model

        mutating func snapshot() -> Snapshot? {
            var version: Int64?, database: DatabaseInfo?
            var sequences: [SequenceInfo]?, columns: [ColumnInfo]?, warnings: [SnapshotWarning]?
            var access: Access??, written: String??, objects: SchemaObjects??
            let ok = object { reader, key in
                switch key {
                case "reseqVersion": return reader.set(&written, reader.optional { $0.string() })
                case "access": return reader.set(&access, reader.optional { $0.access() })
                case "schema": return reader.set(&objects, reader.optional { $0.objects() })
                case "formatVersion": return reader.set(&version, reader.integer())
                case "database": return reader.set(&database, reader.database())
                case "sequences": return reader.set(&sequences, reader.array { $0.sequence() })
                case "columns": return reader.set(&columns, reader.array { $0.column() })
                case "warnings": return reader.set(&warnings, reader.array { $0.warning() })
                default: return reader.skipValue()
                }
            }
            guard ok, let version, let database, let sequences, let columns, let warnings,
                  let formatVersion = Int(exactly: version) else { return nil }
            // The file's order is kept, as JSONDecoder keeps it; the init would sort.
            var result = Snapshot(database: database, sequences: [], columns: [], formatVersion: formatVersion)
            result.sequences = sequences
            result.columns = columns
            result.warnings = warnings
            result.access = access ?? nil
            result.reseqVersion = written ?? nil
            result.schema = objects ?? nil
            return result
        }

        mutating func access() -> Access? {
            var roles: [RoleInfo]?, schemas: [SchemaACL]?, relations: [RelationACL]?, defaults: [DefaultACL]?
            let ok = object { r, key in
                switch key {
                case "roles": return r.set(&roles, r.array { $0.role() })
                case "schemas": return r.set(&schemas, r.array { $0.schemaACL() })
                case "relations": return r.set(&relations, r.array { $0.relationACL() })
                case "defaultPrivileges": return r.set(&defaults, r.array { $0.defaultACL() })
                default: return r.skipValue()
                }
            }
            guard ok, let roles, let schemas, let relations, let defaults else { return nil }
            // As the file has them, as JSONDecoder keeps them.
            var access = Access(roles: [], schemas: [], relations: [], defaultPrivileges: [])
            access.roles = roles
            access.schemas = schemas
            access.relations = relations
            access.defaultPrivileges = defaults
            return access
        }

        mutating func role() -> RoleInfo? {
            var name: String?, superuser: Bool?, inherits: [String]?
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.string())
                case "superuser": return r.set(&superuser, r.bool())
                case "inherits": return r.set(&inherits, r.array { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let superuser, let inherits else { return nil }
            var role = RoleInfo(name: name, superuser: superuser)
            role.inherits = inherits
            return role
        }

        mutating func schemaACL() -> SchemaACL? {
            var name: String?, owner: String?, acl: [Grant]??
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.string())
                case "owner": return r.set(&owner, r.string())
                case "acl": return r.set(&acl, r.optional { $0.grants() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let owner else { return nil }
            var schema = SchemaACL(name: name, owner: owner, acl: nil)
            schema.acl = acl ?? nil
            return schema
        }

        mutating func relationACL() -> RelationACL? {
            var name: QualifiedName?, kind: RelationKind?, owner: String?, acl: [Grant]??
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.qualified())
                case "kind": return r.set(&kind, r.string().flatMap(RelationKind.init(rawValue:)))
                case "owner": return r.set(&owner, r.string())
                case "acl": return r.set(&acl, r.optional { $0.grants() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let kind, let owner else { return nil }
            var relation = RelationACL(name: name, kind: kind, owner: owner, acl: nil)
            relation.acl = acl ?? nil
            return relation
        }

        mutating func defaultACL() -> DefaultACL? {
            var role: String?, schema: String??, type: DefaultACL.ObjectType?, grants: [Grant]?
            let ok = object { r, key in
                switch key {
                case "role": return r.set(&role, r.string())
                case "schema": return r.set(&schema, r.optional { $0.string() })
                case "objectType": return r.set(&type, r.string().flatMap(DefaultACL.ObjectType.init(rawValue:)))
                case "grants": return r.set(&grants, r.grants())
                default: return r.skipValue()
                }
            }
            guard ok, let role, let type, let grants else { return nil }
            var entry = DefaultACL(role: role, schema: schema ?? nil, objectType: type, grants: [])
            entry.grants = grants
            return entry
        }

        /// An access list: one entry per grantee (see `ACLEntry`).
        mutating func grants() -> [Grant]? {
            array { r -> ACLEntry? in
                var grantee: String?, privileges: String?, options: String??
                let ok = r.object { r, key in
                    switch key {
                    case "grantee": return r.set(&grantee, r.string())
                    case "privileges": return r.set(&privileges, r.string())
                    case "withGrantOption": return r.set(&options, r.optional { $0.string() })
                    default: return r.skipValue()
                    }
                }
                guard ok, let grantee, let privileges else { return nil }
                return ACLEntry(grantee: grantee, privileges: privileges, withGrantOption: options ?? nil)
            }.map { entries in
                ACLEntry.grants(entries) { list in
                    if let known = privilegeLists[list] { return known }
                    let parsed = ACLEntry.split(list)
                    privilegeLists[list] = parsed
                    return parsed
                }
            }
        }

        mutating func database() -> DatabaseInfo? {
            var captured: String?, host: String?, name: String?, port: String?, version: String?
            var number: Int64?, id: String??, oid: String??, started: String??
            let ok = object { r, key in
                switch key {
                case "capturedAt": return r.set(&captured, r.string())
                case "host": return r.set(&host, r.string())
                case "name": return r.set(&name, r.string())
                case "port": return r.set(&port, r.string())
                case "serverVersion": return r.set(&version, r.string())
                case "serverVersionNumber": return r.set(&number, r.integer())
                case "systemIdentifier": return r.set(&id, r.optional { $0.string() })
                case "oid": return r.set(&oid, r.optional { $0.string() })
                case "postmasterStartTime": return r.set(&started, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let captured, let capturedAt = Self.date(captured), let host, let name, let port, let version,
                  let number, let serverVersionNumber = Int(exactly: number) else { return nil }
            return DatabaseInfo(name: name, host: host, port: port, serverVersion: version,
                                serverVersionNumber: serverVersionNumber, systemIdentifier: id ?? nil,
                                oid: oid ?? nil, postmasterStartTime: started ?? nil, capturedAt: capturedAt)
        }

        mutating func sequence() -> SequenceInfo? {
            var name: QualifiedName?, owner: String?, type: SequenceType?
            var start: Int64?, increment: Int64?, min: Int64?, max: Int64?, cache: Int64?
            var cycle: Bool?, unlogged: Bool?, called: Bool?, identity: Bool?
            var last: Int64??, ownedBy: ColumnRef??, ext: String??, comment: String??
            let ok = object { r, key in
                switch key {
                case "comment": return r.set(&comment, r.optional { $0.string() })
                case "name": return r.set(&name, r.qualified())
                case "owner": return r.set(&owner, r.string())
                case "dataType": return r.set(&type, r.string().flatMap(SequenceType.init(rawValue:)))
                case "start": return r.set(&start, r.integer())
                case "increment": return r.set(&increment, r.integer())
                case "minValue": return r.set(&min, r.integer())
                case "maxValue": return r.set(&max, r.integer())
                case "cache": return r.set(&cache, r.integer())
                case "cycle": return r.set(&cycle, r.bool())
                case "unlogged": return r.set(&unlogged, r.bool())
                case "isCalled": return r.set(&called, r.bool())
                case "isIdentity": return r.set(&identity, r.bool())
                case "lastValue": return r.set(&last, r.optional { $0.integer() })
                case "ownedBy": return r.set(&ownedBy, r.optional { $0.columnRef() })
                case "fromExtension": return r.set(&ext, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let owner, let type, let start, let increment, let min, let max, let cache,
                  let cycle, let unlogged, let called, let identity else { return nil }
            var sequence = SequenceInfo(name: name, owner: owner, dataType: type, start: start, increment: increment,
                                        minValue: min, maxValue: max, cache: cache, cycle: cycle, unlogged: unlogged,
                                        lastValue: last ?? nil, isCalled: called, ownedBy: ownedBy ?? nil,
                                        isIdentity: identity, fromExtension: ext ?? nil)
            sequence.comment = comment ?? nil
            return sequence
        }

        mutating func column() -> ColumnInfo? {
            var ref: ColumnRef?, type: String?, notNull: Bool?, owner: String?, read: DataRead?
            var expression: String??, sequence: QualifiedName??, identity: IdentityKind??
            var parent: QualifiedName??, max: Int64??, min: Int64??
            let ok = object { r, key in
                switch key {
                case "ref": return r.set(&ref, r.columnRef())
                case "dataType": return r.set(&type, r.string())
                case "notNull": return r.set(&notNull, r.bool())
                case "tableOwner": return r.set(&owner, r.string())
                case "dataRead": return r.set(&read, r.string().flatMap(DataRead.init(rawValue:)))
                case "defaultExpression": return r.set(&expression, r.optional { $0.string() })
                case "defaultSequence": return r.set(&sequence, r.optional { $0.qualified() })
                case "identity": return r.set(&identity, r.optional { $0.string().flatMap(IdentityKind.init(rawValue:)) })
                case "partitionOf": return r.set(&parent, r.optional { $0.qualified() })
                case "maxValue": return r.set(&max, r.optional { $0.integer() })
                case "minValue": return r.set(&min, r.optional { $0.integer() })
                default: return r.skipValue()
                }
            }
            guard ok, let ref, let type, let notNull, let owner, let read else { return nil }
            return ColumnInfo(ref: ref, dataType: type, notNull: notNull, tableOwner: owner,
                              defaultExpression: expression ?? nil, defaultSequence: sequence ?? nil,
                              identity: identity ?? nil, partitionOf: parent ?? nil,
                              maxValue: max ?? nil, minValue: min ?? nil, dataRead: read)
        }

        mutating func warning() -> SnapshotWarning? {
            var object: String?, message: String?
            let ok = self.object { r, key in
                switch key {
                case "object": return r.set(&object, r.string())
                case "message": return r.set(&message, r.string())
                default: return r.skipValue()
                }
            }
            guard ok, let object, let message else { return nil }
            return SnapshotWarning(object: object, message: message)
        }

        mutating func qualified() -> QualifiedName? {
            var schema: String?, name: String?
            let ok = object { r, key in
                switch key {
                case "schema": return r.set(&schema, r.string())
                case "name": return r.set(&name, r.string())
                default: return r.skipValue()
                }
            }
            guard ok, let schema, let name else { return nil }
            return QualifiedName(schema: schema, name: name)
        }

        mutating func columnRef() -> ColumnRef? {
            var table: QualifiedName?, column: String?
            let ok = object { r, key in
                switch key {
                case "table": return r.set(&table, r.qualified())
                case "column": return r.set(&column, r.string())
                default: return r.skipValue()
                }
            }
            guard ok, let table, let column else { return nil }
            return ColumnRef(table: table, column: column)
        }

        // MARK: The shape (`SchemaObjects`)

        mutating func objects() -> SchemaObjects? {
            var schemas: [SchemaDef]?, extensions: [ExtensionDef]?, types: [TypeDef]?, tables: [TableDef]?
            var views: [ViewDef]?, functions: [FunctionDef]?, unread: [QualifiedName]?
            let ok = object { r, key in
                switch key {
                case "schemas": return r.set(&schemas, r.array { $0.schemaDef() })
                case "extensions": return r.set(&extensions, r.array { $0.extensionDef() })
                case "types": return r.set(&types, r.array { $0.typeDef() })
                case "tables": return r.set(&tables, r.array { $0.tableDef() })
                case "views": return r.set(&views, r.array { $0.viewDef() })
                case "functions": return r.set(&functions, r.array { $0.functionDef() })
                case "unread": return r.set(&unread, r.array { $0.qualified() })
                default: return r.skipValue()
                }
            }
            guard ok, let schemas, let extensions, let types, let tables, let views, let functions, let unread else { return nil }
            // As the file has them, as JSONDecoder keeps them; the init would sort.
            var objects = SchemaObjects()
            objects.schemas = schemas
            objects.extensions = extensions
            objects.types = types
            objects.tables = tables
            objects.views = views
            objects.functions = functions
            objects.unread = unread
            return objects
        }

        mutating func schemaDef() -> SchemaDef? {
            var name: String?, owner: String?, comment: String??
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.string())
                case "owner": return r.set(&owner, r.string())
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let owner else { return nil }
            return SchemaDef(name: name, owner: owner, comment: comment ?? nil)
        }

        mutating func extensionDef() -> ExtensionDef? {
            var name: String?, version: String?, schema: String?
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.string())
                case "version": return r.set(&version, r.string())
                case "schema": return r.set(&schema, r.string())
                default: return r.skipValue()
                }
            }
            guard ok, let name, let version, let schema else { return nil }
            return ExtensionDef(name: name, version: version, schema: schema)
        }

        mutating func typeDef() -> TypeDef? {
            var name: QualifiedName?, kind: TypeDef.Kind?, owner: String?, details: [String]?, formatted: String?
            var comment: String??, acl: [Grant]??
            let ok = object { r, key in
                switch key {
                case "acl": return r.set(&acl, r.optional { $0.grants() })
                case "name": return r.set(&name, r.qualified())
                case "kind": return r.set(&kind, r.string().flatMap(TypeDef.Kind.init(rawValue:)))
                case "owner": return r.set(&owner, r.string())
                case "details": return r.set(&details, r.array { $0.string() })
                case "formatted": return r.set(&formatted, r.string())
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let kind, let owner, let details, let formatted else { return nil }
            var type = TypeDef(name: name, kind: kind, owner: owner, details: details, formatted: formatted, comment: comment ?? nil)
            type.acl = acl ?? nil
            return type
        }

        mutating func tableDef() -> TableDef? {
            var name: QualifiedName?, kind: TableDef.Kind?, owner: String?, estimatedRows: Int64?
            var unlogged: Bool?, rowSecurity: Bool?, forceRowSecurity: Bool?
            var partitionKey: String??, partitionOf: QualifiedName??, partitionBound: String??, comment: String??
            var columns: [ColumnDef]?, constraints: [ConstraintDef]?, indexes: [IndexDef]?
            var triggers: [TriggerDef]?, policies: [PolicyDef]?, acl: [Grant]??
            let ok = object { r, key in
                switch key {
                case "acl": return r.set(&acl, r.optional { $0.grants() })
                case "name": return r.set(&name, r.qualified())
                case "kind": return r.set(&kind, r.string().flatMap(TableDef.Kind.init(rawValue:)))
                case "owner": return r.set(&owner, r.string())
                case "estimatedRows": return r.set(&estimatedRows, r.integer())
                case "unlogged": return r.set(&unlogged, r.bool())
                case "rowSecurity": return r.set(&rowSecurity, r.bool())
                case "forceRowSecurity": return r.set(&forceRowSecurity, r.bool())
                case "partitionKey": return r.set(&partitionKey, r.optional { $0.string() })
                case "partitionOf": return r.set(&partitionOf, r.optional { $0.qualified() })
                case "partitionBound": return r.set(&partitionBound, r.optional { $0.string() })
                case "comment": return r.set(&comment, r.optional { $0.string() })
                case "columns": return r.set(&columns, r.array { $0.columnDef() })
                case "constraints": return r.set(&constraints, r.array { $0.constraintDef() })
                case "indexes": return r.set(&indexes, r.array { $0.indexDef() })
                case "triggers": return r.set(&triggers, r.array { $0.triggerDef() })
                case "policies": return r.set(&policies, r.array { $0.policyDef() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let kind, let owner, let estimatedRows, let unlogged, let rowSecurity,
                  let forceRowSecurity, let columns, let constraints, let indexes, let triggers, let policies else { return nil }
            var table = TableDef(name: name, kind: kind, partitionKey: partitionKey ?? nil, partitionOf: partitionOf ?? nil,
                                 partitionBound: partitionBound ?? nil, owner: owner, unlogged: unlogged,
                                 rowSecurity: rowSecurity, forceRowSecurity: forceRowSecurity,
                                 estimatedRows: estimatedRows, comment: comment ?? nil, columns: columns)
            // As the file has them; the init would sort.
            table.constraints = constraints
            table.indexes = indexes
            table.triggers = triggers
            table.policies = policies
            table.acl = acl ?? nil
            return table
        }

        mutating func columnDef() -> ColumnDef? {
            var name: String?, type: String?, notNull: Bool?
            var expression: String??, collation: String??, identity: IdentityKind??, generated: String??, comment: String??
            var acl: [Grant]??
            let ok = object { r, key in
                switch key {
                case "acl": return r.set(&acl, r.optional { $0.grants() })
                case "name": return r.set(&name, r.string())
                case "type": return r.set(&type, r.string())
                case "notNull": return r.set(&notNull, r.bool())
                case "defaultExpression": return r.set(&expression, r.optional { $0.string() })
                case "collation": return r.set(&collation, r.optional { $0.string() })
                case "identity": return r.set(&identity, r.optional { $0.string().flatMap(IdentityKind.init(rawValue:)) })
                case "generated": return r.set(&generated, r.optional { $0.string() })
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let type, let notNull else { return nil }
            var column = ColumnDef(name: name, type: type, notNull: notNull, defaultExpression: expression ?? nil,
                                   collation: collation ?? nil, identity: identity ?? nil, generated: generated ?? nil,
                                   comment: comment ?? nil)
            column.acl = acl ?? nil
            return column
        }

        mutating func constraintDef() -> ConstraintDef? {
            var name: String?, kind: ConstraintDef.Kind?, definition: String?
            var validated: Bool?, deferrable: Bool?, deferred: Bool?, references: QualifiedName??, comment: String??
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.string())
                case "kind": return r.set(&kind, r.string().flatMap(ConstraintDef.Kind.init(rawValue:)))
                case "definition": return r.set(&definition, r.string())
                case "validated": return r.set(&validated, r.bool())
                case "deferrable": return r.set(&deferrable, r.bool())
                case "deferred": return r.set(&deferred, r.bool())
                case "references": return r.set(&references, r.optional { $0.qualified() })
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let kind, let definition, let validated, let deferrable, let deferred else { return nil }
            return ConstraintDef(name: name, kind: kind, definition: definition, validated: validated,
                                 deferrable: deferrable, deferred: deferred, references: references ?? nil,
                                 comment: comment ?? nil)
        }

        mutating func indexDef() -> IndexDef? {
            var name: String?, definition: String?, unique: Bool?, valid: Bool?, constraint: String??, comment: String??
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.string())
                case "definition": return r.set(&definition, r.string())
                case "unique": return r.set(&unique, r.bool())
                case "valid": return r.set(&valid, r.bool())
                case "constraint": return r.set(&constraint, r.optional { $0.string() })
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let definition, let unique, let valid else { return nil }
            return IndexDef(name: name, definition: definition, unique: unique, valid: valid,
                            constraint: constraint ?? nil, comment: comment ?? nil)
        }

        mutating func triggerDef() -> TriggerDef? {
            var name: String?, definition: String?, enabled: String?, function: QualifiedName?, comment: String??
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.string())
                case "definition": return r.set(&definition, r.string())
                case "enabled": return r.set(&enabled, r.string())
                case "function": return r.set(&function, r.qualified())
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let definition, let enabled, let function else { return nil }
            return TriggerDef(name: name, definition: definition, enabled: enabled, function: function, comment: comment ?? nil)
        }

        mutating func policyDef() -> PolicyDef? {
            var name: String?, command: String?, permissive: Bool?, roles: [String]?, using: String??, check: String??
            var comment: String??
            let ok = object { r, key in
                switch key {
                case "name": return r.set(&name, r.string())
                case "command": return r.set(&command, r.string())
                case "permissive": return r.set(&permissive, r.bool())
                case "roles": return r.set(&roles, r.array { $0.string() })
                case "using": return r.set(&using, r.optional { $0.string() })
                case "check": return r.set(&check, r.optional { $0.string() })
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let command, let permissive, let roles else { return nil }
            var policy = PolicyDef(name: name, command: command, permissive: permissive, roles: [],
                                   using: using ?? nil, check: check ?? nil, comment: comment ?? nil)
            policy.roles = roles  // as the file has them; the init would sort
            return policy
        }

        mutating func viewDef() -> ViewDef? {
            var name: QualifiedName?, materialized: Bool?, owner: String?, definition: String?
            var indexes: [IndexDef]?, comment: String??, populated: Bool?, dependsOn: [QualifiedName]?, acl: [Grant]??
            let ok = object { r, key in
                switch key {
                case "populated": return r.set(&populated, r.bool())
                case "dependsOn": return r.set(&dependsOn, r.array { $0.qualified() })
                case "acl": return r.set(&acl, r.optional { $0.grants() })
                case "name": return r.set(&name, r.qualified())
                case "materialized": return r.set(&materialized, r.bool())
                case "owner": return r.set(&owner, r.string())
                case "definition": return r.set(&definition, r.string())
                case "indexes": return r.set(&indexes, r.array { $0.indexDef() })
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let materialized, let owner, let definition, let indexes else { return nil }
            var view = ViewDef(name: name, materialized: materialized, owner: owner, definition: definition,
                               comment: comment ?? nil, acl: acl ?? nil)
            view.indexes = indexes  // as the file has them; the init would sort
            view.populated = populated ?? true
            view.dependsOn = dependsOn ?? []
            return view
        }

        mutating func functionDef() -> FunctionDef? {
            var name: QualifiedName?, arguments: String?, kind: FunctionDef.Kind?, owner: String?, securityDefiner: Bool?
            var result: String??, definition: String??, comment: String??, acl: [Grant]??
            let ok = object { r, key in
                switch key {
                case "acl": return r.set(&acl, r.optional { $0.grants() })
                case "name": return r.set(&name, r.qualified())
                case "arguments": return r.set(&arguments, r.string())
                case "kind": return r.set(&kind, r.string().flatMap(FunctionDef.Kind.init(rawValue:)))
                case "owner": return r.set(&owner, r.string())
                case "securityDefiner": return r.set(&securityDefiner, r.bool())
                case "result": return r.set(&result, r.optional { $0.string() })
                case "definition": return r.set(&definition, r.optional { $0.string() })
                case "comment": return r.set(&comment, r.optional { $0.string() })
                default: return r.skipValue()
                }
            }
            guard ok, let name, let arguments, let kind, let owner, let securityDefiner else { return nil }
            return FunctionDef(name: name, arguments: arguments, kind: kind, owner: owner, securityDefiner: securityDefiner,
                               result: result ?? nil, definition: definition ?? nil, comment: comment ?? nil,
                               acl: acl ?? nil)
        }

        /// As the `.iso8601` strategy reads it, by the decoder itself: one small call per file.
        static func date(_ text: String) -> Date? {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            guard let data = try? JSONEncoder().encode([text]) else { return nil }
            return try? decoder.decode([Date].self, from: data).first
        }

        // MARK: Structure

        /// Stores a field read once; a repeated key is the decoder's business (false).
        func set<T>(_ slot: inout T?, _ value: T?) -> Bool {
            guard slot == nil, let value else { return false }
            slot = value
            return true
        }

        /// `nil` for a value that does not map; `.some(nil)` for null.
        mutating func optional<T>(_ read: (inout Reader) -> T?) -> T?? {
            skipSpace()
            if peek(UInt8(ascii: "n")) { return literal("null") ? .some(nil) : nil }
            return read(&self).map { .some($0) }
        }

        /// Reads `{ "key": value, … }`, handing each key to `field`, which reads its value.
        mutating func object(_ field: (inout Reader, String) -> Bool) -> Bool {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return false }
            skipSpace()
            if take(UInt8(ascii: "}")) { return true }
            while true {
                skipSpace()
                guard let key = string() else { return false }
                skipSpace()
                guard take(UInt8(ascii: ":")), field(&self, key) else { return false }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "}"))
            }
        }

        mutating func array<T>(_ element: (inout Reader) -> T?) -> [T]? {
            skipSpace()
            guard take(UInt8(ascii: "[")) else { return nil }
            var result: [T] = []
            skipSpace()
            if take(UInt8(ascii: "]")) { return result }
            while true {
                guard let value = element(&self) else { return nil }
                result.append(value)
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "]")) ? result : nil
            }
        }

        /// Skips a value of a key the model does not know, checking it is well formed.
        mutating func skipValue() -> Bool {
            skipSpace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"): return object { reader, _ in reader.skipValue() }
            case UInt8(ascii: "["): return array { reader in reader.skipValue() ? true : nil } != nil
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return integer() != nil
            }
        }

        // MARK: Scalars

        mutating func bool() -> Bool? {
            skipSpace()
            if literal("true") { return true }
            if literal("false") { return false }
            return nil
        }

        /// A whole number that fits Int64; fractions and exponents are left to the decoder.
        mutating func integer() -> Int64? {
            skipSpace()
            guard index < bytes.count else { return nil }
            let negative = take(UInt8(ascii: "-"))
            let digits = index
            // Accumulated as a negative number, whose range reaches Int64.min.
            var value: Int64 = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times.subtractingReportingOverflow(Int64(bytes[index] - 0x30))
                guard !overflow1, !overflow2 else { return nil }
                value = next
                index += 1
            }
            guard index > digits, !(bytes[digits] == 0x30 && index - digits > 1) else { return nil }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") {
                return nil
            }
            if negative { return value }
            return value == Int64.min ? nil : -value
        }

        mutating func string() -> String? {
            skipSpace()
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            var plain = true
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 { return nil }
                if byte >= 0x80 { ascii = false }
                if byte == UInt8(ascii: "\\") { plain = false; index += 2; continue }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            // ASCII is valid UTF-8 as it is; anything else is checked.
            if plain { return ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self) }
            return Self.unescape(raw)
        }

        private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = 0
            func hex4(_ at: Int) -> UInt32? {
                guard at + 4 <= raw.count else { return nil }
                var value: UInt32 = 0
                for byte in raw[at..<at + 4] {
                    guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
                    value = value * 16 + UInt32(digit)
                }
                return value
            }
            while i < raw.count {
                let byte = raw[i]
                guard byte == UInt8(ascii: "\\") else { out.append(byte); i += 1; continue }
                guard i + 1 < raw.count else { return nil }
                let kind = raw[i + 1]
                i += 2
                switch kind {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(kind)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var code = hex4(i) else { return nil }
                    i += 4
                    if (0xD800...0xDBFF).contains(code) {
                        // A surrogate pair; a lone half is the decoder's to judge.
                        guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u"),
                              let low = hex4(i + 2), (0xDC00...0xDFFF).contains(low) else { return nil }
                        i += 6
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    return nil
                }
            }
            return String(validating: out, as: UTF8.self)
        }

        // MARK: Bytes

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek(byte) else { return false }
            index += 1
            return true
        }

        mutating func literal(_ word: StaticString) -> Bool {
            skipSpace()
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }
    }
}
