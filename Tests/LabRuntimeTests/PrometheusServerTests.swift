import FlamelabTesting
import Foundation
import LabRuntime
import Testing

/// When Prometheus cannot start, the lab says why in one line (the drill fails with it).
@Suite struct PrometheusServerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus") || TestEnvironment.isCI,
                   "prometheus is not installed (apt-get install prometheus)"))
    func aTakenPortIsNamedInOneLine() throws {
        // Something that is not Prometheus holds the port: a bare listening socket.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let scratch = try PrivateFile.temporaryDirectory(prefix: "flamelab-prometheus-test")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            let server = try PrometheusServer(paths: LabPaths(root: Self.root), scratch: scratch, target: "127.0.0.1:1", port: port)
            server.stop()
            Issue.record("Prometheus started on a port another socket holds")
        } catch {
            let message = "\(error)"
            #expect(message.hasPrefix("failed to start Prometheus"), "\(message)")
            #expect(message.contains("address already in use"), "\(message)")
            #expect(!message.contains("\n"))
        }
    }
}
