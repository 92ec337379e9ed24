/// Comments (`COMMENT ON`): kept on each object as `comment`, read by a join on
/// pg_description in each kind's query, and compared here for every kind alike.
enum Comment {
    /// `LEFT JOIN pg_description` for the object `alias.oid` of `catalog` (sub-object `subid`).
    static func join(_ alias: String, _ catalog: String, subid: String = "0", as name: String = "d") -> String {
        "LEFT JOIN pg_description \(name) ON \(name).objoid = \(alias).oid AND \(name).classoid = '\(catalog)'::regclass AND \(name).objsubid = \(subid)"
    }

    /// Info only: a comment changes no behaviour.
    static func findings(_ id: ObjectID, _ source: String?, _ target: String?) -> [Finding] {
        guard source != target else { return [] }
        switch (source, target) {
        case (_?, nil):
            return [Finding(.commentMissing, .info, id, source: source, target: nil,
                            "the comment on \(id) is missing; documentation tools show nothing for it.")]
        default:
            return [Finding(.commentDiffers, .info, id, source: source, target: target,
                            "the comment on \(id) differs.")]
        }
    }
}
