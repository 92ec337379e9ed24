import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// "Ready for writes" on a server shaped like RDS: `master` applies and is no superuser,
/// `dms_user` owns the copied tables, `app` is the application. Through the binary, as a
/// user runs it: exit codes, what it prints, and what `app` itself can then do.
final class ManagedServerTests: XCTestCase {
    /// A source as the self-hosted server had it (the superuser owns everything, `app` has
    /// its grants), and a DMS copy on the target owned by `dms_user`, where the team already
    /// gave `app` back its table privileges.
    private func rdsShaped(_ cluster: TestCluster) throws -> (source: String, target: String) {
        try cluster.run("""
            CREATE ROLE master LOGIN CREATEROLE CREATEDB;
            CREATE ROLE dms_user LOGIN;
            CREATE ROLE app LOGIN;
            """)
        let source = try cluster.createDatabase("source")
        let target = try cluster.createDatabase("target")
        let demo = try LiveDatabase.file("demo/source.sql")
        try cluster.run(demo + """
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app;
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO app;
            """, database: source)
        try cluster.run("GRANT CREATE ON SCHEMA public TO dms_user", database: target)
        let dms = try cluster.connect(database: target, user: "dms_user")
        defer { dms.close() }
        try dms.execute(demo)
        try dms.execute(try LiveDatabase.file("scripts/dms-copy.sql"))
        try dms.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app")
        return (source, target)
    }

    private func scalar(_ cluster: TestCluster, _ sql: String, database: String, user: String) throws -> String? {
        let connection = try cluster.connect(database: database, user: user)
        defer { connection.close() }
        return try connection.query(sql).rows.first?.first ?? nil
    }

    func testMasterIsRefusedUntilGrantedDMSUserThenAppGetsTheSourcesIds() throws {
        let cluster = try TestCluster.start()
        defer { cluster.stop() }
        let (source, target) = try rdsShaped(cluster)
        let sourceFile = temporaryFile("source.json")
        let snap = try BinaryTests.reseq(["snapshot", "--dsn", cluster.conninfo(database: source), "--output", sourceFile])
        XCTAssertEqual(snap.status, 0, snap.stderr)
        let asMaster = cluster.conninfo(database: target, user: "master")
        let countSequences = "SELECT count(*) FROM pg_class WHERE relkind = 'S'"

        // Before any grant: the dry run and --apply both refuse, name dms_user, change nothing.
        let dry = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", asMaster])
        XCTAssertEqual(dry.status, 1, dry.stderr)
        // master cannot read dms_user's rows: never guessed, and the fix is named.
        XCTAssertTrue(dry.stderr.contains(
            #"not planned: public.django_migrations_id_seq: max(id) of public.django_migrations on the target was not read (permission denied), so the ids already there are unknown and public.django_migrations_id_seq is not moved: a guess could hand out ids that exist. master may not read it. Fix: GRANT "dms_user" TO "master"; (dms_user owns it) or GRANT SELECT ON TABLE "public"."django_migrations" TO "master";, then run again."#),
            dry.stderr)
        // The standalone sequence: master may not create in public.
        XCTAssertTrue(dry.stderr.contains(
            #"cannot apply: public.invoice_number_seq: master cannot run CREATE SEQUENCE "public"."invoice_number_seq" AS bigint INCREMENT BY 10 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 10000 CACHE 1 NO CYCLE; It needs CREATE on schema public. Fix: GRANT CREATE ON SCHEMA "public" TO "master";"#),
            dry.stderr)
        let refused = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", asMaster, "--apply", "--allow-hazards", "authorization"])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("nothing was changed"), refused.stderr)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertEqual(try scalar(cluster, countSequences, database: target, user: "master"), "0")

        try cluster.run("GRANT dms_user TO master")
        // The source's objects belong to postgres, a superuser master cannot become: mapped to
        // master, as on RDS, the tables (and the sequences linked to them) become master's.
        let applied = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", asMaster, "--apply",
                                             "--allow-hazards", "authorization", "--map-role", "postgres=master"])
        XCTAssertEqual(applied.status, 0, applied.stdout + applied.stderr)
        XCTAssertTrue(applied.stdout.contains("verified: the target now matches the source; ready for writes."), applied.stdout)

        // The application's own role writes, and gets exactly what the source would have given.
        XCTAssertEqual(try scalar(cluster, "INSERT INTO django_migrations (app, name) VALUES ('links', '0003') RETURNING id",
                                  database: target, user: "app"), "14")
        XCTAssertEqual(try scalar(cluster, "INSERT INTO orders (total) VALUES (1) RETURNING id", database: target, user: "app"), "1001")
        XCTAssertEqual(try scalar(cluster, "INSERT INTO auth_user (username) VALUES ('x') RETURNING id", database: target, user: "app"), "41")
        XCTAssertEqual(try scalar(cluster, "INSERT INTO links_link (url) VALUES ('x') RETURNING id", database: target, user: "app"), "5120")
        XCTAssertEqual(try scalar(cluster, "INSERT INTO audit_event (what) VALUES ('x') RETURNING id", database: target, user: "app"), "251")
        XCTAssertEqual(try scalar(cluster, "SELECT nextval('invoice_number_seq')", database: target, user: "app"), "10070")
        // The sequences belong to the tables' owner, as OWNED BY needs: the source's, mapped.
        XCTAssertEqual(try scalar(cluster, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname IN ('django_migrations', 'django_migrations_id_seq') GROUP BY 1",
                                  database: target, user: "master"), "master")
    }

    func testMembershipWithoutInheritanceRunsAsTheOwner() throws {
        let cluster = try TestCluster.start()
        defer { cluster.stop() }
        let (source, target) = try rdsShaped(cluster)
        // master may SET ROLE dms_user but does not use its privileges by itself.
        try cluster.run("ALTER ROLE master NOINHERIT; GRANT dms_user TO master")
        let db = LiveDatabase(cluster: cluster, source: source, target: target)
        let dry = try db.reconcile(user: "master", apply: false, trustSourceValues: true)
        XCTAssertEqual(dry.preflight.blocked, [])
        XCTAssertEqual(dry.preflight.runAs["public.django_migrations_id_seq"], "dms_user")
        let result = try db.reconcile(user: "master", trustSourceValues: true)
        XCTAssertEqual(result.outcomes.filter { $0.status != .applied }, [])
        // master still cannot read the rows, so its own verification cannot prove them: it says so.
        XCTAssertEqual(result.verification?.filter { $0.isBlocking && ![.dataUnknown, .positionUnknown].contains($0.kind) }, [])
        XCTAssertFalse(result.converged)
        let sourceSnapshot = try db.snapshot(db.source)
        XCTAssertEqual(Differ.diff(source: sourceSnapshot, target: try db.targetSnapshot(for: sourceSnapshot)).filter(\.isBlocking), [])
        XCTAssertEqual(try scalar(cluster, "INSERT INTO django_migrations (app, name) VALUES ('a', 'b') RETURNING id",
                                  database: target, user: "app"), "14")
    }

    func testAppWithoutUsageOnTheSequenceIsNotReadyForWrites() throws {
        let cluster = try TestCluster.start()
        defer { cluster.stop() }
        let (source, target) = try rdsShaped(cluster)
        try cluster.run("GRANT dms_user TO master")
        let db = LiveDatabase(cluster: cluster, source: source, target: target)
        let asOnRDS = RoleMap(["postgres": "master"])  // the source's owner, as master on RDS
        try db.reconcile(user: "master", roles: asOnRDS)
        // Someone revokes it by hand: the diff of fresh snapshots names app and the consequence.
        try cluster.run("REVOKE ALL ON SEQUENCE django_migrations_id_seq FROM app", database: target)
        let findings = Differ.diff(source: try db.snapshot(source), target: try db.targetSnapshot(for: try db.snapshot(source)))
        let finding = try XCTUnwrap(findings.first { $0.kind == .privilegeMissing && $0.object == "public.django_migrations_id_seq" })
        XCTAssertEqual(finding.severity, .error)
        XCTAssertEqual(finding.consequence,
                       "app can insert into public.django_migrations but lacks SELECT, USAGE on its sequence public.django_migrations_id_seq: its inserts fail with permission denied.")
        XCTAssertThrowsError(try scalar(cluster, "INSERT INTO django_migrations (app, name) VALUES ('a', 'b') RETURNING id",
                                        database: target, user: "app")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, .insufficientPrivilege)
        }
        // The next reconcile gives it back.
        let again = try db.reconcile(user: "master", roles: asOnRDS)
        XCTAssertEqual(again.plan.steps.map(\.sql), [#"GRANT SELECT, USAGE ON SEQUENCE "public"."django_migrations_id_seq" TO "app";"#])
        XCTAssertEqual(again.verification?.filter(\.isBlocking), [])
        XCTAssertEqual(try scalar(cluster, "INSERT INTO django_migrations (app, name) VALUES ('a', 'b') RETURNING id",
                                  database: target, user: "app"), "14")
    }

    func testARoleNamedDifferentlyIsMappedAndAMissingOneIsSaid() throws {
        // Two clusters: roles belong to a cluster, and the target's has reporting under another name.
        let sourceCluster = try TestCluster.start()
        defer { sourceCluster.stop() }
        let targetCluster = try TestCluster.start()
        defer { targetCluster.stop() }
        let demo = try LiveDatabase.file("demo/source.sql")
        let source = try sourceCluster.createDatabase("source")
        try sourceCluster.run("CREATE ROLE reporting")
        try sourceCluster.run(demo + "GRANT SELECT ON orders TO reporting; GRANT SELECT ON SEQUENCE orders_id_seq TO reporting;",
                              database: source)
        let target = try targetCluster.createDatabase("target")
        try targetCluster.run("CREATE ROLE reporting_rds")
        try targetCluster.run(demo + (try LiveDatabase.file("scripts/dms-copy.sql")), database: target)
        let sourceFile = temporaryFile("source.json"), targetFile = temporaryFile("target.json")
        XCTAssertEqual(try BinaryTests.reseq(["snapshot", "--dsn", sourceCluster.conninfo(database: source), "--output", sourceFile]).status, 0)
        XCTAssertEqual(try BinaryTests.reseq(["snapshot", "--dsn", targetCluster.conninfo(database: target), "--output", targetFile]).status, 0)

        let unmapped = try BinaryTests.reseq(["diff", sourceFile, targetFile, "--format", "json"])
        XCTAssertEqual(unmapped.status, 1)
        XCTAssertTrue(unmapped.stdout.contains("role reporting holds privileges on 1 object(s) on the source but does not exist on the target"), unmapped.stdout)

        let mapped = ["--map-role", "reporting=reporting_rds"]
        let plan = try BinaryTests.reseq(["plan", sourceFile, targetFile] + mapped)
        XCTAssertTrue(plan.stdout.contains(#"GRANT SELECT ON TABLE "public"."orders" TO "reporting_rds";"#), plan.stdout)
        XCTAssertTrue(plan.stdout.contains(#"GRANT SELECT ON SEQUENCE "public"."orders_id_seq" TO "reporting_rds";"#), plan.stdout)
        let applied = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn",
                                             targetCluster.conninfo(database: target), "--apply", "--allow-hazards", "authorization"] + mapped)
        XCTAssertEqual(applied.status, 0, applied.stdout + applied.stderr)
        let check = try targetCluster.connect(database: target)
        defer { check.close() }
        XCTAssertEqual(try check.query("SELECT has_table_privilege('reporting_rds', 'orders', 'SELECT')::text AS v").string(0, "v"), "true")
        // Without the mapping the same verification is not clean: reporting is missing.
        let unmappedRun = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn",
                                                 targetCluster.conninfo(database: target)])
        XCTAssertEqual(unmappedRun.status, 0, unmappedRun.stderr)
        let after = temporaryFile("after.json")
        XCTAssertEqual(try BinaryTests.reseq(["snapshot", "--dsn", targetCluster.conninfo(database: target), "--output", after]).status, 0)
        XCTAssertEqual(try BinaryTests.reseq(["diff", sourceFile, after]).status, 1)
        XCTAssertEqual(try BinaryTests.reseq(["diff", sourceFile, after] + mapped).status, 0)
    }
}

/// The same-database guard for a role that cannot read the system identifier, as on RDS.
final class SameDatabaseGuardTests: XCTestCase {
    func testLocalhostAnd127001AreTheSameDatabaseWithoutPgControlSystem() throws {
        let cluster = try TestCluster.start(tcp: true)
        defer { cluster.stop() }
        let database = try cluster.createDatabase("app")
        try cluster.run(try LiveDatabase.file("demo/source.sql"), database: database)
        try cluster.run("CREATE ROLE reader LOGIN")
        // Functions' privileges belong to each database.
        try cluster.run("""
            REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC;
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader;
            GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO reader;
            """, database: database)
        func dsn(_ host: String) -> String { "host=\(host) port=\(cluster.port) dbname=\(database) user=reader" }
        let file = temporaryFile("snapshot.json")
        let snapshot = try BinaryTests.reseq(["snapshot", "--dsn", dsn("localhost"), "--output", file])
        XCTAssertEqual(snapshot.status, 0, snapshot.stderr)
        let written = try Snapshot.decode(try Data(contentsOf: URL(fileURLWithPath: file)), file: file)
        XCTAssertNil(written.database.systemIdentifier, "the role must not see the system identifier for this test to mean anything")
        XCTAssertEqual(written.database.host, "localhost")
        XCTAssertNotNil(written.database.oid)
        XCTAssertNotNil(written.database.postmasterStartTime)

        let run = try BinaryTests.reseq(["reconcile", "--source", file, "--target-dsn", dsn("127.0.0.1"), "--apply"])
        XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("is the database the source snapshot was taken from; reseq will not reconcile a database onto itself"),
                      run.stderr)
        XCTAssertEqual(run.stdout, "")
    }
}
