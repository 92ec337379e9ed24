/// Which objects of a plan may lock the same things: each object gives the keys it locks
/// (schemas, or tables), and objects sharing a key, directly or through others, fall into one
/// group. The appliers run a group on one session, so two sessions never wait on each other.
struct LockGroups {
    private var parent: [String: String] = [:]

    /// `keys[i]`: the non-empty keys of object i.
    init(_ keys: [[String]]) {
        for keys in keys {
            for key in keys where parent[key] == nil { parent[key] = key }
            let first = root(keys[0])
            for key in keys.dropFirst() { parent[root(key)] = first }
        }
    }

    /// The group of a key given to `init`, named by one of its keys.
    func root(_ key: String) -> String {
        var key = key
        while let next = parent[key], next != key { key = next }
        return key
    }
}
