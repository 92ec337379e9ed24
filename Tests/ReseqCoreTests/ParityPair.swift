import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest

/// A schema the parity tests copy as DMS does and rebuild with `reseq reconcile`.
struct ParityFixture: CustomStringConvertible {
    var path: String
    /// It grants to app and "Réader ""x""" itself (hostile.sql); the others are given
    /// USAGE on their schemas and SELECT, INSERT, UPDATE, DELETE, USAGE on everything in them.
    var ownGrants = false

    var description: String { URL(fileURLWithPath: path).lastPathComponent }

    static let shape = ParityFixture(path: "Tests/ReseqCoreTests/Fixtures/shape.sql")
    static let hostile = ParityFixture(path: "Tests/ReseqCoreTests/Fixtures/hostile.sql", ownGrants: true)
    static let pagila = ParityFixture(path: "Tests/ReseqCoreTests/Fixtures/public/pagila.sql")
    static let synapse = ParityFixture(path: "Tests/ReseqCoreTests/Fixtures/public/synapse.sql")
}

/// A fixture loaded on a source, and copied onto a target as DMS copies it; across majors, also
/// loaded as it is on the target's major, the reference the target's dump must equal.
struct ParityPair: CustomStringConvertible {
    var fixture: ParityFixture
    var source: TestCluster
    var sourceDatabase: String
    var sourceVersion: Int
    var target: TestCluster
    var targetDatabase: String
    var targetVersion: Int
    /// Across majors, the fixture loaded on the target's cluster: each major's deparser writes
    /// views its own way, and PostgreSQL 18 names NOT NULL constraints a partition takes from
    /// its parent, so no target on another major can dump as the source does. Nil on one major.
    var reference: String?

    var sourceDSN: String { source.conninfo(database: sourceDatabase) }
    var targetDSN: String { target.conninfo(database: targetDatabase) }
    var description: String { "\(fixture) \(sourceVersion)→\(targetVersion)" }

    /// Both sides through the pg_dump of the newer major: it reads the older server too.
    private var dumpVersion: Int { max(sourceVersion, targetVersion) }

    /// What the target must dump as: the source's dump, or across majors the reference's.
    func expectedDump() throws -> SchemaDump {
        guard let reference else { return try SchemaDump.capture(source, database: sourceDatabase, pgDumpVersion: dumpVersion) }
        return try SchemaDump.capture(target, database: reference, pgDumpVersion: dumpVersion)
    }

    func targetDump() throws -> SchemaDump {
        try SchemaDump.capture(target, database: targetDatabase, pgDumpVersion: dumpVersion)
    }

    /// The sides' names in a dump difference.
    var labels: (source: String, target: String) {
        (reference == nil ? "source" : "source's schema loaded on PostgreSQL \(targetVersion)", "target")
    }
}

/// Setting up the parity tests: the roles, the fixture loaded as its owner with its grants, and
/// the DMS copy.
extension VersionClustersTestCase {
    /// Creates, where missing, the roles the parity tests use: app_owner owns the source's
    /// objects, app and "Réader ""x""" are granted to, dms_user owns what the DMS copy created.
    func createParityRoles(_ cluster: TestCluster) throws {
        try cluster.run(["app_owner", "app", #"Réader "x""#, "dms_user"].map { role in
            let quoted = "\"" + role.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return "DO $$ BEGIN CREATE ROLE \(quoted); EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
        }.joined(separator: "\n"))
    }

    /// A new database owned by app_owner, the fixture loaded into it as app_owner, so that
    /// app_owner owns everything (and, as the database's owner, the public schema); then the
    /// fixture's grants. Returns the database's name.
    func loadAsOwner(_ fixture: ParityFixture, on cluster: TestCluster) throws -> String {
        try createParityRoles(cluster)
        let database = try cluster.createDatabase("parity")
        try cluster.run("ALTER DATABASE \(database) OWNER TO app_owner")
        var script = "SET ROLE app_owner;\n" + (try LiveDatabase.file(fixture.path))
        if !fixture.ownGrants { script += "\n" + Self.grantsToApp }
        try cluster.run(script, database: database)
        return database
    }

    /// The fixture loaded as on the source, then made what a DMS full load leaves: the shape
    /// (scripts/dms-shape-copy.sql), the flattened partitioned tables emptied, and the tables
    /// handed to dms_user with no grants (Fixtures/dms-handover.sql). Returns the database's name.
    func dmsCopy(_ fixture: ParityFixture, on cluster: TestCluster) throws -> String {
        let database = try loadAsOwner(fixture, on: cluster)
        let connection = try cluster.connect(database: database)
        defer { connection.close() }
        let partitioned = try connection.query("""
            SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'p' AND NOT c.relispartition
            """).rows.compactMap { $0.first ?? nil }
        try connection.execute(try LiveDatabase.file("scripts/dms-shape-copy.sql"))
        // dms-shape-copy.sql leaves each partitioned table as a plain table holding all its
        // partitions' rows, while the partitions, plain tables now, keep theirs: every row twice.
        // reconcile rebuilds a partitioned table only from a flattened one that holds no rows of
        // its own (else it tells the user to empty it), so empty them, as that user would.
        if !partitioned.isEmpty {
            try connection.execute("TRUNCATE ONLY \(partitioned.joined(separator: ", "))")
        }
        try connection.execute(try LiveDatabase.file("Tests/ReseqCoreTests/Fixtures/dms-handover.sql"))
        return database
    }

    /// `fixture` loaded on PostgreSQL `sourceVersion`, its DMS copy on `targetVersion`, and across
    /// majors the reference on the target's cluster.
    func parityPair(_ fixture: ParityFixture, from sourceVersion: Int, to targetVersion: Int) throws -> ParityPair {
        let source = try cluster(sourceVersion), target = try cluster(targetVersion)
        return ParityPair(
            fixture: fixture,
            source: source, sourceDatabase: try loadAsOwner(fixture, on: source), sourceVersion: sourceVersion,
            target: target, targetDatabase: try dmsCopy(fixture, on: target), targetVersion: targetVersion,
            reference: sourceVersion == targetVersion ? nil : try loadAsOwner(fixture, on: target))
    }

    /// For the fixtures without grants of their own, run as app_owner after them: app may use
    /// every schema the fixture made (and public) and everything in them.
    private static let grantsToApp = """
        DO $grants$
        DECLARE s text;
        BEGIN
          FOR s IN
            SELECT nspname FROM pg_namespace
            WHERE nspname = 'public' OR nspowner = (SELECT oid FROM pg_roles WHERE rolname = 'app_owner')
          LOOP
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO app', s);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO app', s);
            EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO app', s);
          END LOOP;
        END
        $grants$;
        """
}
