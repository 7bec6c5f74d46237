import Foundation

/// Whether a peer profiler is installed (the Makefile installs linux-perf and bpftrace).
enum PeerTools {
    static func available(_ tool: OverheadConfiguration.Tool) -> Bool {
        let binary = tool == .bpftrace ? "bpftrace" : "perf"
        return ["/usr/bin/", "/usr/sbin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + binary) }
    }
}
