import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PostgresClient

/// A throwaway PostgreSQL cluster in a temporary directory, reachable only through a unix
/// socket there. Started with `start()`, stopped by `stop()` or when released.
/// If it cannot start, `start()` throws: tests that need a server fail, never skip.
public final class TestCluster {
    public let directory: URL
    public let port: Int
    /// The superuser initdb created (the OS user that ran it).
    public let superuser: String
    private let binDirectory: URL
    private let runAsPostgres: Bool
    private var running = false
    private var databaseCounter = 0

    private var dataDirectory: URL { directory.appendingPathComponent("data") }
    private var logFile: URL { directory.appendingPathComponent("server.log") }

    private init(directory: URL, port: Int, binDirectory: URL, runAsPostgres: Bool) {
        self.directory = directory
        self.port = port
        self.binDirectory = binDirectory
        self.runAsPostgres = runAsPostgres
        self.superuser = runAsPostgres ? "postgres" : TestCluster.currentUserName()
    }

    deinit {
        stop()
    }

    /// Starts a cluster of PostgreSQL `version` (a major: 15, 16, 18), or of Debian's newest
    /// when nil. A requested version that is not installed is an error, never a skip.
    /// `tcp`: also listen on 127.0.0.1 (and so `localhost`) at the cluster's port, for tests of
    /// what host names do; the port is random, so two clusters seldom meet.
    public static func start(version: Int? = nil, tcp: Bool = false) throws -> TestCluster {
        let bin = try version.map(findBinDirectory(version:)) ?? findBinDirectory()
        let root = getuid() == 0
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("reseq-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // A unix socket in our own directory cannot collide; the port only names the socket file.
        let cluster = TestCluster(
            directory: directory, port: Int.random(in: 20000...60000), binDirectory: bin, runAsPostgres: root)
        do {
            if root {
                // PostgreSQL refuses to run as root: hand the directory to the postgres user.
                try run("/bin/chown", ["postgres:postgres", directory.path], log: nil)
            }
            try cluster.tool("initdb", [
                "-D", cluster.dataDirectory.path, "-A", "trust", "--no-sync",
                "-E", "UTF8", "--locale=C", "-U", cluster.superuser,
            ])
            let listen = tcp ? "127.0.0.1" : ""
            let serverOptions = "-c listen_addresses='\(listen)' -k \(directory.path) -p \(cluster.port) -c fsync=off"
                + " -c synchronous_commit=off -c full_page_writes=off"
            try cluster.tool("pg_ctl", [
                "start", "-w", "-t", "60", "-D", cluster.dataDirectory.path,
                "-l", cluster.logFile.path, "-o", serverOptions,
            ])
            cluster.running = true
            if let version {
                let reported = try cluster.connect().query("SHOW server_version_num").rows.first?.first ?? nil
                guard let number = reported.flatMap({ Int($0) }), number / 10000 == version else {
                    throw TestClusterError(
                        "\(bin.path) started a server whose server_version_num is \(reported ?? "unknown"), not PostgreSQL \(version)")
                }
            }
        } catch {
            let log = (try? String(contentsOf: cluster.logFile, encoding: .utf8)) ?? ""
            cluster.stop()  // the server too, if it started but is not the version asked for
            throw TestClusterError("could not start a throwaway PostgreSQL with \(bin.path): \(error)\n\(log)")
        }
        return cluster
    }

    /// Stops the server (fast shutdown) and deletes its directory. Safe to call twice.
    public func stop() {
        if running {
            running = false
            try? tool("pg_ctl", ["stop", "-m", "fast", "-w", "-D", dataDirectory.path])
        }
        try? FileManager.default.removeItem(at: directory)
    }

    public func conninfo(database: String = "postgres", user: String? = nil) -> String {
        [
            "host=" + ConnInfo.quote(directory.path), "port=\(port)",
            "dbname=" + ConnInfo.quote(database), "user=" + ConnInfo.quote(user ?? superuser),
        ].joined(separator: " ")
    }

    public func connect(database: String = "postgres", user: String? = nil) throws -> Connection {
        try Connection(conninfo: conninfo(database: database, user: user))
    }

    /// Creates a database with a unique name built from `prefix`, and returns that name.
    @discardableResult
    public func createDatabase(_ prefix: String = "test") throws -> String {
        databaseCounter += 1
        let name = "\(prefix)_\(databaseCounter)_\(UUID().uuidString.prefix(6).lowercased())"
        try run("CREATE DATABASE \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"")
        return name
    }

    /// Runs a script (several statements allowed) as the superuser.
    public func run(_ sql: String, database: String = "postgres") throws {
        let connection = try connect(database: database)
        defer { connection.close() }
        try connection.execute(sql)
    }

    // MARK: processes

    private func tool(_ name: String, _ arguments: [String]) throws {
        let path = binDirectory.appendingPathComponent(name).path
        if runAsPostgres {
            if FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") {
                try TestCluster.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments, log: logFile)
            } else {
                let command = ([path] + arguments).map(TestCluster.shellQuote).joined(separator: " ")
                try TestCluster.run("/bin/su", ["postgres", "-s", "/bin/sh", "-c", command], log: logFile)
            }
        } else {
            try TestCluster.run(path, arguments, log: logFile)
        }
    }

    /// Runs a program to completion, its output in a file. Spawned with posix_spawn and reaped
    /// with waitpid rather than Foundation's Process: Process learns of the exit through a
    /// socket the child inherits, and `pg_ctl start` passes that socket on to the server, so
    /// `waitUntilExit()` would wait for the server to stop.
    private static func run(_ path: String, _ arguments: [String], log: URL?) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("reseq-tool-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw TestClusterError("could not run \(path): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        // WIFEXITED && WEXITSTATUS == 0, spelled out: the macros do not import into Swift.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw TestClusterError("\(path) \(arguments.joined(separator: " ")) failed (wait status \(status)): \(text)")
        }
    }

    /// Where `scripts/install-deps.sh` puts the servers Debian does not package, one folder per
    /// major holding its `bin/`: RESEQ_PG_ROOT, by default /opt/reseq-postgres.
    public static var installRoot: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["RESEQ_PG_ROOT"] ?? "/opt/reseq-postgres")
    }

    /// The `bin/` folder of PostgreSQL `version`: its server, and its client programs (pg_dump).
    public static func binDirectory(version: Int) throws -> URL {
        try findBinDirectory(version: version)
    }

    private static func findBinDirectory(version: Int) throws -> URL {
        let candidates = [
            URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin"),
            installRoot.appendingPathComponent("\(version)/bin"),
        ]
        let found = candidates.first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path)
        }
        if let found { return found }
        throw TestClusterError("""
            PostgreSQL \(version) is not installed: no initdb in \(candidates.map(\.path).joined(separator: " or ")). \
            Run `make deps` (scripts/install-deps.sh) to install it.
            """)
    }

    private static func findBinDirectory() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let best = versions.compactMap(Int.init).sorted().last { version in
            FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("\(version)/bin/initdb").path)
        }
        if let best { return root.appendingPathComponent("\(best)/bin") }
        for candidate in ["/usr/local/pgsql/bin", "/usr/local/bin", "/opt/homebrew/bin", "/usr/bin"]
        where FileManager.default.isExecutableFile(atPath: candidate + "/initdb") {
            return URL(fileURLWithPath: candidate)
        }
        throw TestClusterError("no PostgreSQL server binaries (initdb) found in /usr/lib/postgresql/*/bin; install postgresql")
    }

    private static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func currentUserName() -> String {
        ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
    }
}

public struct TestClusterError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
