import Foundation

/// A peer profiler (perf, bpftrace) run as a child process for the length of a measurement.
final class PeerProcess {
    private let process = Process()

    static func start(_ command: [String]) throws -> PeerProcess {
        let peer = PeerProcess()
        peer.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        peer.process.arguments = command
        peer.process.standardOutput = FileHandle.nullDevice
        peer.process.standardError = FileHandle.nullDevice
        do { try peer.process.run() } catch {
            throw LabError("failed to start \(command[0]): \(error.localizedDescription)")
        }
        return peer
    }

    func wait() {
        process.waitUntilExit()
    }
}
