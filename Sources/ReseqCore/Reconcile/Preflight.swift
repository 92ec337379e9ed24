import PostgresClient

/// Before anything changes: can the applying role run every step of the plan? On a managed
/// server it is no superuser, and DMS's role owns the copied tables. An object whose steps
/// need the owner's rights runs as the owner (`SET ROLE`) where the role may become it but
/// does not inherit its privileges; what it cannot run at all is named with the statement
/// that fixes it.
public enum Preflight {
    /// What the target says about the roles that could run the plan.
    public struct Facts: Sendable {
        public var currentRole: String
        public var database: String
        public var superusers: Set<String>
        /// Owners of the relations the plan touches; a relation missing here does not exist
        /// yet (its object creates it, so its creator owns it).
        public var relationOwners: [QualifiedName: String]
        public var schemaOwners: [String: String]
        /// For each role asked about: the roles whose privileges it has (itself included), and
        /// the roles it may SET ROLE to.
        public var usage: [String: Set<String>]
        public var canSet: [String: Set<String>]
        public var createInSchema: [String: Set<String>]
        public var createSchema: Set<String>
        public var updateSequence: [String: Set<QualifiedName>]

        public init(currentRole: String, database: String, superusers: Set<String> = [],
                    relationOwners: [QualifiedName: String] = [:], schemaOwners: [String: String] = [:],
                    usage: [String: Set<String>] = [:], canSet: [String: Set<String>] = [:],
                    createInSchema: [String: Set<String>] = [:], createSchema: Set<String> = [],
                    updateSequence: [String: Set<QualifiedName>] = [:]) {
            self.currentRole = currentRole
            self.database = database
            self.superusers = superusers
            self.relationOwners = relationOwners
            self.schemaOwners = schemaOwners
            self.usage = usage
            self.canSet = canSet
            self.createInSchema = createInSchema
            self.createSchema = createSchema
            self.updateSequence = updateSequence
        }

        func satisfies(_ role: String, _ requirement: Step.Requirement) -> Bool {
            if superusers.contains(role) { return true }
            let mine = usage[role, default: []].union([role])
            switch requirement {
            case .owner(let name, _):
                return relationOwners[name].map(mine.contains) ?? true
            case .create(let schema):
                // A schema the object creates first belongs to its creator.
                return schemaOwners[schema] == nil || createInSchema[role, default: []].contains(schema)
            case .createSchema:
                return createSchema.contains(role)
            case .schemaOwner(let schema):
                return schemaOwners[schema].map(mine.contains) ?? true
            case .member(let other):
                return other == role || canSet[role, default: []].contains(other)
            case .update(let sequence):
                return relationOwners[sequence].map(mine.contains) ?? true
                    || updateSequence[role, default: []].contains(sequence)
            case .rightsOf(let owner):
                return mine.contains(owner)
            }
        }

        /// The statement that gives the current role what `requirement` asks.
        func fix(_ requirement: Step.Requirement) -> String {
            let me = SQL.identifier(currentRole)
            switch requirement {
            case .owner(let name, _):
                let owner = relationOwners[name] ?? "?"
                return "GRANT \(SQL.identifier(owner)) TO \(me); (or run reseq as \(owner))"
            case .create(let schema): return "GRANT CREATE ON SCHEMA \(SQL.identifier(schema)) TO \(me);"
            case .createSchema: return "GRANT CREATE ON DATABASE \(SQL.identifier(database)) TO \(me);"
            case .schemaOwner(let schema):
                let owner = schemaOwners[schema] ?? "?"
                return "GRANT \(SQL.identifier(owner)) TO \(me); (or run reseq as \(owner))"
            case .member(let role): return "GRANT \(SQL.identifier(role)) TO \(me);"
            case .update(let sequence): return "GRANT UPDATE ON SEQUENCE \(SQL.qualified(sequence)) TO \(me);"
            case .rightsOf(let owner): return "GRANT \(SQL.identifier(owner)) TO \(me); (or run reseq as \(owner))"
            }
        }

        /// In plain words, who must hold what.
        func need(_ requirement: Step.Requirement) -> String {
            switch requirement {
            case .owner(let name, let kind):
                return "the rights of \(relationOwners[name] ?? "?"), the owner of \(kind.rawValue) \(name)"
            case .create(let schema): return "CREATE on schema \(schema)"
            case .createSchema: return "CREATE on database \(database)"
            case .schemaOwner(let schema): return "the rights of \(schemaOwners[schema] ?? "?"), the owner of schema \(schema)"
            case .member(let role): return "membership in \(role) (to make it an owner)"
            case .update(let sequence): return "UPDATE on sequence \(sequence)"
            case .rightsOf(let owner): return "the rights of \(owner), the owner (to grant on what it owns)"
            }
        }
    }

    /// What preflight decided: the role each object runs as where it is not the applying
    /// role, and what cannot run.
    public struct Decision: Sendable, Equatable {
        /// Object → role to `SET ROLE` to for its steps.
        public var runAs: [String: String]
        /// One finding per object that cannot run; nothing may be applied while any exists.
        public var blocked: [Finding]
        /// Owners and grants this role cannot give: left out of the apply, listed.
        public var skipped: [Finding] = []
        /// The steps left out of objects that otherwise run.
        var skippedSteps: Set<Step> = []

        /// The plan without what is left out.
        public func runnable(_ plan: Plan) -> Plan {
            let objects = Set(skipped.map(\.object)).subtracting(skippedSteps.map(\.object))
            return Plan(steps: plan.steps.filter { !objects.contains($0.object) && !skippedSteps.contains($0) },
                        unresolved: plan.unresolved)
        }
    }

    /// Pure: decides from the facts.
    ///
    /// Owners and grants are leaves: nothing else in the plan needs them. An object made of
    /// them alone, or the ones that close an object (a sequence's owner and grants after its
    /// value), that the role cannot run are left out alone (`skipped`) and listed; anything
    /// else stops the whole plan (nothing half-done).
    public static func decide(_ plan: Plan, facts: Facts) -> Decision {
        var decision = Decision(runAs: [:], blocked: [])
        let me = facts.currentRole
        for (object, steps) in plan.objects {
            let leaves = Step.closingAuthorization(steps)
            let core = leaves == steps.count ? steps : Array(steps.dropLast(leaves))
            let role: String
            switch runner(for: core, facts: facts) {
            case .success(let runner):
                role = runner
                if runner != me { decision.runAs[object] = runner }
            case .failure(let finding):
                if leaves == steps.count { decision.skipped.append(finding(object)) } else { decision.blocked.append(finding(object)) }
                continue
            }
            guard leaves < steps.count else { continue }
            // The closing owner and grants run as the role the object runs as, or not at all.
            for step in steps.suffix(leaves) where !step.requires.allSatisfy({ facts.satisfies(role, $0) }) {
                decision.skipped.append(cannotRun(object, step, step.requires.filter { !facts.satisfies(role, $0) }, role, facts))
                decision.skippedSteps.insert(step)
            }
        }
        return decision
    }

    /// The role that can run all of `steps`: the current one, else the owner of what they
    /// alter (or any role it may become) where it may SET ROLE to it.
    private static func runner(for steps: [Step], facts: Facts) -> Result<String, Unrunnable> {
        let me = facts.currentRole
        let requirements = steps.flatMap(\.requires)
        let failing = requirements.filter { !facts.satisfies(me, $0) }
        if failing.isEmpty { return .success(me) }
        let owners = failing.compactMap { requirement -> String? in
            switch requirement {
            case .owner(let name, _): return facts.relationOwners[name]
            case .schemaOwner(let schema): return facts.schemaOwners[schema]
            case .rightsOf(let owner): return owner
            default: return nil
            }
        }
        // Else any role it may become that can run them all (a standalone sequence has no table).
        let candidates = owners + facts.canSet[me, default: []].subtracting(owners).sorted()
        if let owner = candidates.first(where: { owner in
            facts.canSet[me, default: []].contains(owner) && requirements.allSatisfy { facts.satisfies(owner, $0) }
        }) {
            return .success(owner)
        }
        let step = steps.first { step in step.requires.contains { !facts.satisfies(me, $0) } } ?? steps[0]
        return .failure(Unrunnable { object in cannotRun(object, step, failing, me, facts) })
    }

    private struct Unrunnable: Error {
        let finding: @Sendable (String) -> Finding
        func callAsFunction(_ object: String) -> Finding { finding(object) }
    }

    private static func cannotRun(_ object: String, _ step: Step, _ failing: [Step.Requirement], _ role: String,
                                  _ facts: Facts) -> Finding {
        var seen = Set<String>()
        let fixes = failing.map(facts.fix).filter { seen.insert($0).inserted }
        var needs = Set<String>()
        let needed = failing.map(facts.need).filter { needs.insert($0).inserted }
        return Finding(kind: .cannotApply, severity: .error, object: object, schema: object, table: nil,
                       sourceValue: step.sql, targetValue: role,
                       consequence: "\(role) cannot run \(step.sql) It needs \(needed.joined(separator: " and ")). Fix: \(fixes.joined(separator: " "))")
    }

    /// Reads the facts `decide` needs from the live target: a few small queries.
    public static func facts(for plan: Plan, on connection: Connection) throws -> Facts {
        var relations = Set<QualifiedName>(), schemas = Set<String>(), members = Set<String>(), sequences = Set<QualifiedName>()
        for requirement in plan.steps.flatMap(\.requires) {
            switch requirement {
            case .owner(let name, _): relations.insert(name)
            case .create(let schema), .schemaOwner(let schema): schemas.insert(schema)
            case .member(let role), .rightsOf(let role): members.insert(role)
            case .update(let sequence): relations.insert(sequence); sequences.insert(sequence)
            case .createSchema: break
            }
        }
        let who = try connection.query("""
            SELECT current_user::text AS role, current_database() AS db,
                   coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser
            """)
        var facts = Facts(currentRole: try who.string(0, "role"), database: try who.string(0, "db"))
        if try who.bool(0, "superuser") {
            facts.superusers = [facts.currentRole]
            return facts
        }
        let relationList = relations.sorted()
        let owners = try connection.query("""
            SELECT x.k::int AS k, pg_get_userbyid(c.relowner) AS owner
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(nsp, rel, k)
            JOIN pg_namespace n ON n.nspname = x.nsp
            JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = x.rel
            """, [CatalogSQL.textArray(relationList.map(\.schema)), CatalogSQL.textArray(relationList.map(\.name))])
        for row in 0..<owners.count {
            facts.relationOwners[relationList[try owners.int(row, "k") - 1]] = try owners.string(row, "owner")
        }
        let schemaRows = try connection.query("""
            SELECT nspname AS name, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = ANY($1::text[])
            """, [CatalogSQL.textArray(schemas.sorted())])
        for row in 0..<schemaRows.count {
            facts.schemaOwners[try schemaRows.string(row, "name")] = try schemaRows.string(row, "owner")
        }
        // The applying role and every owner it might run as.
        let candidates = Set([facts.currentRole]).union(facts.relationOwners.values).union(facts.schemaOwners.values).sorted()
        let others = Set(candidates).union(members).sorted()
        let set = connection.serverVersionNumber >= 160000 ? "SET" : "MEMBER"
        let pairs = try connection.query("""
            SELECT a.rolname AS role, b.rolname AS other, a.rolsuper AS superuser,
                   pg_has_role(a.oid, b.oid, 'USAGE') AS usage, pg_has_role(a.oid, b.oid, '\(set)') AS can_set
            FROM pg_roles a, pg_roles b WHERE a.rolname = ANY($1::text[]) AND b.rolname = ANY($2::text[])
            """, [CatalogSQL.textArray(candidates), CatalogSQL.textArray(others)])
        for row in 0..<pairs.count {
            let role = try pairs.string(row, "role"), other = try pairs.string(row, "other")
            if try pairs.bool(row, "superuser") { facts.superusers.insert(role) }
            if try pairs.bool(row, "usage") { facts.usage[role, default: []].insert(other) }
            if try pairs.bool(row, "can_set") { facts.canSet[role, default: []].insert(other) }
        }
        let creates = try connection.query("""
            SELECT r.rolname AS role, n.nspname AS schema FROM pg_roles r, pg_namespace n
            WHERE r.rolname = ANY($1::text[]) AND n.nspname = ANY($2::text[]) AND has_schema_privilege(r.oid, n.oid, 'CREATE')
            UNION ALL
            SELECT r.rolname, NULL FROM pg_roles r
            WHERE r.rolname = ANY($1::text[]) AND has_database_privilege(r.oid, current_database(), 'CREATE')
            """, [CatalogSQL.textArray(candidates), CatalogSQL.textArray(schemas.sorted())])
        for row in 0..<creates.count {
            let role = try creates.string(row, "role")
            if let schema = try creates.optionalString(row, "schema") {
                facts.createInSchema[role, default: []].insert(schema)
            } else {
                facts.createSchema.insert(role)
            }
        }
        let sequenceList = sequences.filter { facts.relationOwners[$0] != nil }.sorted()
        if !sequenceList.isEmpty {
            let updates = try connection.query("""
                SELECT r.rolname AS role, x.k::int AS k
                FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(nsp, rel, k)
                JOIN pg_namespace n ON n.nspname = x.nsp
                JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = x.rel
                JOIN pg_roles r ON r.rolname = ANY($1::text[])
                WHERE has_sequence_privilege(r.oid, c.oid, 'UPDATE')
                """, [CatalogSQL.textArray(candidates), CatalogSQL.textArray(sequenceList.map(\.schema)),
                      CatalogSQL.textArray(sequenceList.map(\.name))])
            for row in 0..<updates.count {
                facts.updateSequence[try updates.string(row, "role"), default: []].insert(sequenceList[try updates.int(row, "k") - 1])
            }
        }
        return facts
    }
}
