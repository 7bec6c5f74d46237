import ArgumentParser

/// `lab`: the flamelab command line. Every subcommand's --help shows an example.
@main
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "flamelab: profile a polyglot service with one eBPF agent and prove it with measured evidence.",
        discussion: """
        Examples:
          lab service start --version v1        # start the demo shop service
          lab load --mode open --rate 200 --duration 20s
          lab run all                           # every scenario, evidence into results/
          lab serve --port 8099                 # the drill's web UI
        """,
        subcommands: [
            ServiceCommand.self,
            LoadCommand.self,
            MeasureCommand.self,
            RunCommand.self,
            ProfilesCommand.self,
            RecordCommand.self,
            AgentCommand.self,
            QueryCommand.self,
            FlameGraphCommand.self,
            DiffCommand.self,
            GateCommand.self,
            SymbolizationCommand.self,
            ServeCommand.self,
        ]
    )

    /// Parses and runs a subcommand; every error and verdict becomes an exit status in `CLI.exit`.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            CLI.exit(with: error)
        }
    }
}
