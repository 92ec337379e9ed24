import ArgumentParser

@main
struct Reseq: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reseq",
        abstract: "Find and repair the sequences a database copy (AWS DMS) left behind.",
        subcommands: []
    )
}
