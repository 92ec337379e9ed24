import Foundation
import PackagePlugin

/// Before each build of the target it is attached to, runs `scripts/version.sh` to write the
/// version from git (tag and commit) as Swift into the plugin's work directory, so a plain
/// `swift build` gets it too and nothing in the source tree changes. The script leaves the file
/// alone when the version has not changed, so an unchanged checkout recompiles nothing.
@main
struct VersionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "Version")
        return [
            .prebuildCommand(
                displayName: "Reading reseq's version from git",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    context.package.directoryURL.appending(path: "scripts/version.sh").path, "--swift",
                    outputDirectory.appending(path: "GitVersion.swift").path,
                ],
                outputFilesDirectory: outputDirectory
            ),
        ]
    }
}
