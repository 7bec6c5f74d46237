import ProfileModel
import Foundation
import Symbolize

/// Starts, stops and inspects shop service processes (`lab service start|stop|status`).
public struct ServiceController: Sendable {
    public let paths: LabPaths

    public init(paths: LabPaths = LabPaths()) {
        self.paths = paths
    }

    /// Starts `flamelab-shop` and waits until /healthz answers. `environment` is added to the lab's
    /// (a peer profiler's LD_PRELOAD, say).
    public func start(version: String, port: UInt16, extraArguments: [String] = [], environment: [String: String] = [:],
                      timeoutSeconds: Double = 30) throws -> ServiceInstance {
        guard FileManager.default.isExecutableFile(atPath: paths.shopExecutable) else {
            throw FlamelabError("failed to start service: \(paths.shopExecutable) not found (run `make build`)")
        }
        if let existing = try? instance(port: port), isAlive(existing.pid) {
            throw FlamelabError("failed to start service on port \(port): already running as pid \(existing.pid) (\(existing.version)); `lab service stop --port \(port)` first")
        }
        try FileManager.default.createDirectory(atPath: paths.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let logPath = "\(paths.stateDirectory)/shop-\(port).log"
        let process = try ChildProcess(paths.shopExecutable,
                                       ["--version", version, "--port", String(port), "--python-dir", paths.pythonDirectory] + extraArguments,
                                       output: logPath, environment: environment)
        let instance = ServiceInstance(pid: process.pid, port: port, version: version,
                                       startedAtUnix: Date().timeIntervalSince1970, logPath: logPath)
        // Recorded at once, so that an agent following the service (`lab agent --service`) attaches
        // while it starts; a start that fails removes the record again.
        try PrivateFile.writeJSON(instance, to: statePath(port: port))
        do {
            try waitUntilHealthy(instance, process: process, timeoutSeconds: timeoutSeconds)
        } catch {
            try? FileManager.default.removeItem(atPath: statePath(port: port))
            throw error
        }
        return instance
    }

    private func waitUntilHealthy(_ instance: ServiceInstance, process: ChildProcess, timeoutSeconds: Double) throws {
        let deadline = ThreadClock.now() + timeoutSeconds
        while ThreadClock.now() < deadline {
            if process.hasExited {
                throw FlamelabError("failed to start flamelab-shop \(instance.version) on port \(instance.port): exited with status \(process.exitStatus ?? -1): \(logTail(instance.logPath))")
            }
            if let response = try? HTTPClientConnection(port: instance.port, timeoutSeconds: 2).send(path: "/healthz"), response.status == 200 {
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(instance.pid, SIGKILL)
        throw FlamelabError("failed to start flamelab-shop \(instance.version) on port \(instance.port): /healthz did not answer within \(Int(timeoutSeconds)) s")
    }

    /// Stops the service on `port` (SIGTERM, then SIGKILL after `graceSeconds`).
    public func stop(port: UInt16, graceSeconds: Double = 5) throws {
        let instance = try instance(port: port)
        if isAlive(instance.pid) {
            kill(instance.pid, SIGTERM)
            let deadline = ThreadClock.now() + graceSeconds
            while isAlive(instance.pid) && ThreadClock.now() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if isAlive(instance.pid) { kill(instance.pid, SIGKILL) }
            while isAlive(instance.pid) { Thread.sleep(forTimeInterval: 0.02) }
        }
        try? FileManager.default.removeItem(atPath: statePath(port: port))
    }

    /// Every recorded instance with whether its process is alive.
    public func status() -> [(instance: ServiceInstance, alive: Bool)] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: paths.stateDirectory)) ?? []
        return files.filter { $0.hasPrefix("shop-") && $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: "\(paths.stateDirectory)/\(name)"),
                  let instance = try? JSONDecoder().decode(ServiceInstance.self, from: data) else { return nil }
            return (instance, isAlive(instance.pid))
        }
    }

    public func instance(port: UInt16) throws -> ServiceInstance {
        guard let data = FileManager.default.contents(atPath: statePath(port: port)) else {
            throw FlamelabError("failed to find service on port \(port): no record in \(paths.stateDirectory) (not started by lab?)")
        }
        do { return try JSONDecoder().decode(ServiceInstance.self, from: data) } catch {
            throw FlamelabError("failed to read \(statePath(port: port)): \(error.localizedDescription)")
        }
    }

    private func statePath(port: UInt16) -> String { "\(paths.stateDirectory)/shop-\(port).json" }

    /// Alive and not a zombie: a reaped-late child still answers kill(pid, 0).
    /// Alive and not a zombie; a service this process started and that exited is reaped here.
    func isAlive(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        return ProcessStatus.isAlive(pid)
    }

    private func logTail(_ path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(3).joined(separator: " | ")
    }
}
