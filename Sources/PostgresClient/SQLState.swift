/// A five-character SQLSTATE code. Open: any code the server sends is representable; the
/// static lets name the ones reseq reacts to.
public struct SQLState: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ code: String) {
        self.rawValue = code
    }

    /// The first two characters: the class (`08` connection exception, `42` syntax or access, …).
    public var classCode: String { String(rawValue.prefix(2)) }

    /// True when the connection is gone and the session must be opened again.
    public var isConnectionLoss: Bool {
        classCode == "08" || self == .adminShutdown || self == .crashShutdown
            || self == .cannotConnectNow
    }

    public var description: String { rawValue }

    public static let successfulCompletion = SQLState("00000")
    public static let connectionException = SQLState("08000")
    public static let connectionDoesNotExist = SQLState("08003")
    public static let connectionFailure = SQLState("08006")
    public static let sqlClientUnableToEstablishSQLConnection = SQLState("08001")
    public static let readOnlySQLTransaction = SQLState("25006")
    public static let inFailedSQLTransaction = SQLState("25P02")
    public static let invalidAuthorizationSpecification = SQLState("28000")
    public static let invalidPassword = SQLState("28P01")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let syntaxError = SQLState("42601")
    public static let insufficientPrivilege = SQLState("42501")
    public static let undefinedColumn = SQLState("42703")
    public static let undefinedFunction = SQLState("42883")
    public static let undefinedTable = SQLState("42P01")
    public static let undefinedObject = SQLState("42704")
    public static let duplicateObject = SQLState("42710")
    public static let duplicateTable = SQLState("42P07")
    public static let objectNotInPrerequisiteState = SQLState("55000")
    public static let objectInUse = SQLState("55006")
    public static let lockNotAvailable = SQLState("55P03")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")
    public static let outOfMemory = SQLState("53200")
    public static let numericValueOutOfRange = SQLState("22003")
}
