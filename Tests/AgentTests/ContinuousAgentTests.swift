import Agent
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore
import FlamelabTesting
import Synchronization
import Testing

extension AgentBPFTests {
    /// `lab agent` as deployed: its store through a kill -9, and a deploy followed within a second.
    @Suite(.serialized)
    struct ContinuousAgentTests {
        static func scratch(_ name: String) throws -> String {
            let dir = NSTemporaryDirectory() + "flamelab-\(name)-\(getpid())-\(UUID().uuidString.prefix(6))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return dir
        }

        static func labAgent(_ arguments: [String]) throws -> (Process, Pipe) {
            let process = Process()
            let errors = Pipe()
            process.executableURL = URL(fileURLWithPath: try AgentTestSupport.product("lab"))
            process.arguments = ["agent"] + arguments
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return (process, errors)
        }

        static func waitFor(_ path: String, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if FileManager.default.fileExists(atPath: path) { return true }
                usleep(100_000)
            }
            return false
        }

        /// A scratch folder and a busy testee with `lab agent --window WINDOW` attached to it.
        static func agentOnBusyTestee(_ name: String, window: String) throws -> (dir: String, store: String, testee: Testee, agent: Process) {
            let dir = try scratch(name)
            let store = dir + "/profiles.sqlite"
            let testee = try Testee(["cpu", "30"])
            try testee.waitUntilReady()
            testee.go()
            let (agent, _) = try labAgent(["--pid", "\(testee.pid)", "--window", window, "--store", store, "--ready-file", dir + "/ready"])
            #expect(waitFor(dir + "/ready", seconds: 60), "lab agent never said it attached")
            return (dir, store, testee, agent)
        }

        @Test("kill -9 of lab agent: no BPF program or link left, the store passes integrity_check, a new agent continues in it",
              .requiresRoot)
        func sigkillLeavesASoundStore() throws {
            try TestEnvironment.requireRoot()
            let (dir, store, testee, agent) = try Self.agentOnBusyTestee("agent-kill", window: "1s")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // Windows first (the first one symbolizes the testee: it can take seconds on a loaded machine).
            let reader = try ProfileStore(path: store)
            let deadline = Date().addingTimeInterval(30)
            while try reader.runs().count < 2, Date() < deadline { usleep(200_000) }
            let held = AgentFaultTests.bpfIDs(heldBy: agent.processIdentifier)
            #expect(!held.programs.isEmpty && !held.links.isEmpty, "lab agent holds no BPF program while running: \(held)")
            kill(agent.processIdentifier, SIGKILL)
            agent.waitUntilExit()
            let left = AgentFaultTests.loadedAfterRelease(held)
            #expect(left.programs.isEmpty && left.links.isEmpty, "left after SIGKILL: \(left)")
            let opened = try ProfileStore(path: store)
            #expect(try opened.integrityCheck() == "ok")
            let before = try opened.runs()
            #expect(before.count >= 2, "windows written before the kill: \(before.count)")
            // A new agent takes the lock the dead one held (the kernel released it) and goes on in the file.
            let (again, _) = try Self.labAgent(["--pid", "\(testee.pid)", "--window", "1s", "--store", store, "--ready-file", dir + "/ready2"])
            #expect(Self.waitFor(dir + "/ready2", seconds: 60))
            Thread.sleep(forTimeInterval: 2.5)
            kill(again.processIdentifier, SIGTERM)
            again.waitUntilExit()
            #expect(again.terminationStatus == 0, "SIGTERM flushes and exits 0")
            #expect(try opened.runs().count > before.count)
            #expect(try opened.integrityCheck() == "ok")
        }

        @Test("SIGUSR1 writes the open window at once: a reader sees the last seconds without waiting for the window's end", .requiresRoot)
        func sigusr1FlushesTheOpenWindow() throws {
            try TestEnvironment.requireRoot()
            let (dir, store, testee, agent) = try Self.agentOnBusyTestee("agent-flush", window: "120s")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            defer { kill(agent.processIdentifier, SIGTERM); agent.waitUntilExit() }
            Thread.sleep(forTimeInterval: 2)
            let opened = try ProfileStore(path: store)
            #expect(try opened.runs().isEmpty, "a 120 s window was written after 2 s without being asked")
            kill(agent.processIdentifier, SIGUSR1)
            let deadline = Date().addingTimeInterval(5)
            while try opened.runs().isEmpty, Date() < deadline { usleep(50_000) }
            let runs = try opened.runs()
            #expect(!runs.isEmpty, "SIGUSR1 wrote no window within 5 s")
            #expect(runs.reduce(0) { $0 + $1.sampleCount } > 0, "the flushed window holds no sample")
            withExtendedLifetime(testee) {}
        }

        @Test("a full disk: the agent says so, keeps windows in memory up to its bound, drops the rest counted, and does not crash", .requiresRoot)
        func fullDiskIsSurvived() throws {
            try TestEnvironment.requireRoot()
            let dir = try Self.scratch("agent-full")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // A 512 KiB file system the store outgrows within seconds at 999 Hz (a new store's WAL holds
            // its five migrations, some 200 KiB: 256 KiB left no room for the first window).
            let small = dir + "/small"
            try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
            let (mountStatus, mountOutput) = try TestEnvironment.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", small])
            try #require(mountStatus == 0, "failed to mount a tmpfs: \(mountOutput)")
            defer { _ = try? TestEnvironment.run("/usr/bin/umount", ["-l", small]) }
            let testee = try Testee(["cpu", "60"])
            try testee.waitUntilReady()
            testee.go()
            var config = ContinuousAgentConfig(storePath: small + "/profiles.sqlite", targets: .pids([testee.pid]))
            config.windowSeconds = 1
            config.kinds = [.cpu]
            config.hz = 999
            config.python = .off
            config.pendingWindowLimit = 3
            let agent = try ContinuousAgent(config: config)
            let said = Mutex<[String]>([])
            agent.log = { line in said.withLock { $0.append(line) } }
            try agent.start()
            let deadline = Date().addingTimeInterval(40)
            while agent.snapshot().windowsLost == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.5) }
            let final = agent.stop()
            let lines = said.withLock { $0 }
            #expect(final.windowsLost > 0, "no window was dropped in 40 s on a 512 KiB disk: \(final.line)")
            #expect(final.windowsWritten > 0, "nothing was written before the disk filled: \(final.line)")
            #expect(final.lastWriteError?.contains("disk is full") == true, "\(final.lastWriteError ?? "no write error")")
            #expect(lines.contains { $0.contains("keeping windows in memory") }, "the agent did not say it keeps windows: \(lines.prefix(3))")
            #expect(lines.contains { $0.contains("dropped window") }, "the agent did not say it dropped a window")
        }

        @Test("a second agent on the same store is refused with a clear error", .requiresRoot)
        func secondAgentIsRefused() throws {
            try TestEnvironment.requireRoot()
            let dir = try Self.scratch("agent-two")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let store = dir + "/profiles.sqlite"
            let (first, _) = try Self.labAgent(["--pid", "\(getpid())", "--store", store, "--ready-file", dir + "/ready"])
            defer { kill(first.processIdentifier, SIGTERM); first.waitUntilExit() }
            #expect(Self.waitFor(dir + "/ready", seconds: 60))
            let (second, errors) = try Self.labAgent(["--pid", "\(getpid())", "--store", store])
            second.waitUntilExit()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(second.terminationStatus == 2)
            #expect(text.contains("another agent (pid \(first.processIdentifier)) writes to it"), "\(text)")
        }

        @Test("following the service: when v1 stops and v2 starts on the port, v2 is sampled within 1 s, labelled v2", .requiresRoot)
        func deployIsFollowedWithinASecond() throws {
            try TestEnvironment.requireRoot()
            let dir = try Self.scratch("agent-deploy")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var config = ContinuousAgentConfig(storePath: dir + "/profiles.sqlite", targets: .service)
            config.windowSeconds = 1
            config.kinds = [.cpu]
            config.hz = 499
            config.python = .off
            let agent = try ContinuousAgent(config: config)
            agent.log = { _ in }
            try agent.start()
            let controller = ServiceController()
            let port: UInt16 = 18990
            let v1 = try controller.start(version: "v1", port: port)
            let load = LoadGenerator(options: LoadOptions(mode: .open(rate: 40), durationSeconds: 30, mix: try RouteMix.parse("price"), port: port))
            let loading = Thread { _ = load.run() }
            loading.start()
            Thread.sleep(forTimeInterval: 2)
            try controller.stop(port: port)
            let v2 = try controller.start(version: "v2", port: port)
            Thread.sleep(forTimeInterval: 3)
            load.stop()
            try controller.stop(port: port)
            agent.stop()
            let store = agent.store
            // By pid: `--service` follows every `lab service` instance, and tests running beside this
            // one start their own (a v2 among them).
            let v2Runs = try store.runs(filter: RunFilter(pid: v2.pid))
            #expect(!v2Runs.isEmpty, "no window of the v2 instance")
            #expect(v2Runs.allSatisfy { $0.version == "v2" && $0.service == config.serviceName })
            let profile = try store.profile(query: .runs(v2Runs.map(\.id)))
            let first = Double(try #require(profile.firstSampleUnixNs, "no timed v2 sample")) / 1e9
            let delay = first - v2.startedAtUnix
            print("deploy followed: first v2 sample \(String(format: "%.2f", delay)) s after v2 started")
            #expect(delay < 1, "first v2 sample \(delay) s after v2 started")
            #expect(try store.runs(filter: RunFilter(pid: v1.pid)).allSatisfy { $0.version == "v1" })
        }
    }
}
