import Foundation

extension Date {
    /// `2026-01-15T09:30:00Z`: the one way reports print a time, independent of locale and zone.
    var reportText: String { formatted(.iso8601) }
}
