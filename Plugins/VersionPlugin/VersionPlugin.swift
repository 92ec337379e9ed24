import PackagePlugin

/// Before each build of the target it is attached to, runs `scripts/version.sh` to write the
/// version from git (tag and commit) as Swift into the plugin's work directory, so a plain
/// `swift build` gets it too and nothing in the source tree changes. The script leaves the file
/// alone when the version has not changed, so an unchanged checkout recompiles nothing.
///
/// `Path` rather than `URL`: the URL API needs swift-tools-version 6.0 (switch to
/// `pluginWorkDirectoryURL`, `directoryURL` and the URL `prebuildCommand` with it).
@main
struct VersionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let outputDirectory = context.pluginWorkDirectory.appending("Version")
        return [
            .prebuildCommand(
                displayName: "Reading reseq's version from git",
                executable: Path("/bin/sh"),
                arguments: [
                    context.package.directory.appending("scripts", "version.sh").string, "--swift",
                    outputDirectory.appending("GitVersion.swift").string,
                ],
                outputFilesDirectory: outputDirectory
            ),
        ]
    }
}
