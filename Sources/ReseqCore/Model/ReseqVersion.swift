/// The version of reseq that is running, read from git when it was built (see
/// `scripts/version.sh`): `0.1.0` for a tagged release, `0.1.0+3.g44dec65` three commits after it,
/// `unknown (built without git)` when it was built without git.
public enum ReseqVersion {
    public static let current: String = gitVersion
}
