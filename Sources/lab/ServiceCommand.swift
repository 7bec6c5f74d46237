import ArgumentParser
import Foundation
import LabRuntime

/// `lab service start|stop|status`: the demo shop service's life cycle.
struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Start, stop and inspect the demo shop service.",
        discussion: """
        Examples:
          lab service start --version v1 --port 8080
          lab service start --version v2 --port 8081 --counters
          lab service status
          lab service stop --port 8080
        """,
        subcommands: [Start.self, Stop.self, Status.self]
    )

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start flamelab-shop on 127.0.0.1 and wait until it is healthy.",
            discussion: "Example:\n  lab service start --version v2 --port 8081 --fault-share 0.3"
        )
        @Option(help: "Deploy label: v1 or v2 (v2 carries the checkout regression).") var version: String = "v1"
        @Option(help: "TCP port on 127.0.0.1.") var port: UInt16 = 8080
        @Flag(help: "Enable the planted functions' ground-truth counters.") var counters = false
        @Flag(name: .customLong("periodic-janitor"), help: "Run the 10 ms periodic CacheJanitor sweep.") var periodicJanitor = false
        @Option(name: .customLong("fault-share"), help: "Start with the fault switch on for this share of checkouts.") var faultShare: Double = 0

        func validate() throws {
            guard ["v1", "v2"].contains(version) else { throw ValidationError("--version must be v1 or v2, got '\(version)'") }
            guard (0...1).contains(faultShare) else { throw ValidationError("--fault-share must be in 0...1") }
        }

        func run() throws {
            var extra: [String] = []
            if counters { extra.append("--counters") }
            if periodicJanitor { extra.append("--periodic-janitor") }
            if faultShare > 0 { extra += ["--fault-share", String(faultShare)] }
            let instance = try ServiceController().start(version: version, port: port, extraArguments: extra)
            print("flamelab-shop \(instance.version) running: pid \(instance.pid), http://127.0.0.1:\(instance.port) (log \(instance.logPath))")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the service on a port.", discussion: "Example:\n  lab service stop --port 8080")
        @Option(help: "Port of the service to stop.") var port: UInt16 = 8080

        func run() throws {
            try ServiceController().stop(port: port)
            print("stopped service on port \(port)")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List services started by lab.", discussion: "Example:\n  lab service status")

        func run() throws {
            let all = ServiceController().status()
            if all.isEmpty { print("no services recorded") }
            for (instance, alive) in all {
                print("port \(instance.port)  \(instance.version)  pid \(instance.pid)  \(alive ? "running" : "not running")")
            }
        }
    }
}
