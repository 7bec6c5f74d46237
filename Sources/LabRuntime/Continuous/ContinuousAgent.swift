import Agent
import Foundation
import ProfileModel
import ProfileStore
import Symbolize

/// `lab agent`: one long-lived eBPF agent (BPF loaded and attached once) that cuts its sample stream
/// into windows and writes each, per process and kind, into the profile store with its labels.
///
/// Three threads besides the agent's own: the writer (store writes, retention, a bounded queue of
/// windows while the store cannot be written), the follower (`--service`: new service instances
/// become targets within a poll), and the status line. One writer per store (`StoreLock`).
///
/// `@unchecked Sendable`: the mutable state (labels, queue, status) is behind `lock`.
public final class ContinuousAgent: @unchecked Sendable {
    public let config: ContinuousAgentConfig
    public let store: ProfileStore
    /// Where status lines and notes go (stderr by default).
    public var log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// Called on the writer thread after a window's rows are stored (tests and the lab watch it).
    public var onWindowStored: (@Sendable (AgentWindow, [RunID]) -> Void)?

    private let storeLock: StoreLock
    private let agent: Agent
    private let host = ProfileStore.hostName()
    /// The Pyroscope push (`--push-pyroscope`), fed after each window is stored.
    private let pusher: PyroscopePusher?
    private let lock = NSLock()
    private let wake = DispatchSemaphore(value: 0)
    private var labels: [Int32: ProcessLabels] = [:]
    /// Followed processes seen gone after the last write (writer thread only).
    private var goneAtLastWrite = Set<Int32>()
    private var queue: [AgentWindow] = []
    /// Lines the draining thread wants logged; the writer logs them.
    private var pendingLog: [String] = []
    private var status = ContinuousAgentStatus()
    private var stopping = false
    private var writerDone = DispatchSemaphore(value: 0)
    private var threads: [Thread] = []

    /// Takes the store's writer lock and opens it; throws a clear error when another agent holds it,
    /// or the file is not a sound flamelab store.
    public init(config: ContinuousAgentConfig) throws {
        self.config = config
        storeLock = try StoreLock(storePath: config.storePath)
        store = try ProfileStore(path: config.storePath, pageCacheKiB: ProfileStore.writerPageCacheKiB)
        agent = Agent(config: config.agentConfig)
        pusher = config.pyroscopeURL.map { PyroscopePusher(baseURL: $0) }
        if let user = SudoUser.current() { try handOver(to: user) }
    }

    /// `sudo lab agent`: the store (and the default store's directory, which the agent may have
    /// just created as root) go to the user who ran sudo, still private to them, so that their
    /// unprivileged `lab serve`, `lab query` and `lab gate --canary` read it.
    private func handOver(to user: SudoUser) throws {
        try store.handOver(toUID: user.uid, gid: user.gid)
        guard config.storePath == ContinuousAgentConfig.defaultStorePath else { return }
        let directory = (config.storePath as NSString).deletingLastPathComponent
        var info = stat()
        if lstat(directory, &info) == 0, info.st_uid == 0, info.st_mode & S_IFMT == S_IFDIR,
           fchownat(AT_FDCWD, directory, user.uid, user.gid, AT_SYMLINK_NOFOLLOW) != 0 {
            throw FlamelabError.failed("hand", "\(directory) to uid \(user.uid)", String(cString: strerror(errno)))
        }
    }

    /// Loads, attaches and starts the threads.
    public func start() throws {
        if case .pids(let pids) = config.targets {
            for pid in pids { lock.withLock { labels[pid] = ProcessLabels(command: ProcessLabels.command(of: pid)) } }
        }
        agent.onWindow = { [weak self] window in self?.enqueue(window) }
        try agent.start()
        startThread("lab-agent-writer") { [self] in writeLoop() }
        if config.targets == .service { startThread("lab-agent-follow") { [self] in followLoop() } }
        startThread("lab-agent-status") { [self] in statusLoop() }
        pusher?.start()
    }

    /// Stops: the open window is cut and written with everything queued; returns the final counts.
    @discardableResult
    public func stop() -> ContinuousAgentStatus {
        agent.requestStop()
        let recording = agent.finish()
        lock.withLock { stopping = true }
        wake.signal()
        writerDone.wait()
        pusher?.stop()
        for note in recording.stats.notes { log("note: \(note)") }
        if recording.stats.notesNotKept > 0 { log("note: \(recording.stats.notesNotKept) more notes were not kept") }
        return snapshot()
    }

    /// Writes the open window now (SIGUSR1): readers that must see the last seconds ask for it.
    public func flush() {
        agent.cutWindowNow()
    }

    /// The counts so far.
    public func snapshot() -> ContinuousAgentStatus {
        var copy = lock.withLock { status }
        copy.targets = agent.currentTargets
        copy.storeBytes = store.sizeBytes
        copy.pyroscope = pusher?.snapshot
        return copy
    }

    // MARK: - windows to the store

    /// Runs on the draining thread: it only queues (the writer logs), so a slow store or stderr never
    /// holds up draining. The window being written is not in the queue, so the bound never drops it.
    private func enqueue(_ window: AgentWindow) {
        lock.withLock {
            status.windowsCut += 1
            status.drops &+= window.drops
            status.unreadable &+= window.unreadable
            queue.append(window)
            while queue.count > max(1, config.pendingWindowLimit) {
                let lost = queue.removeFirst()
                status.windowsLost += 1
                pendingLog.append("lab agent: dropped window \(lost.index) (\(lost.sampleCount) samples): the store has not been writable for \(queue.count) windows (\(status.lastWriteError ?? "unknown reason"))")
            }
            status.windowsPending = queue.count
        }
        wake.signal()
    }

    private func writeLoop() {
        var lastRetention = Date.distantPast
        while true {
            _ = wake.wait(timeout: .now() + 1)
            for line in lock.withLock({ () -> [String] in defer { pendingLog.removeAll() }; return pendingLog }) { log(line) }
            let (next, done) = lock.withLock { () -> (AgentWindow?, Bool) in
                if stopping && queue.isEmpty { return (nil, true) }
                return (queue.isEmpty ? nil : queue.removeFirst(), false)
            }
            if done { break }
            guard let window = next else { continue }
            do {
                let ids = try write(window)
                lock.withLock {
                    status.windowsPending = queue.count
                    status.windowsWritten += 1
                    status.rowsWritten += ids.count
                    status.samplesWritten += window.sampleCount
                    status.lastWriteError = nil
                }
                onWindowStored?(window, ids)
                forgetGoneLabels()
                ProcessHeap.releaseFreePages()
                wake.signal()
            } catch {
                // Back at the head of the queue, to be tried again (or dropped by the bound, oldest first).
                let first = lock.withLock { () -> Bool in
                    queue.insert(window, at: 0)
                    defer { status.lastWriteError = "\(error)" }
                    return status.lastWriteError == nil
                }
                if first { log("lab agent: \(error); keeping windows in memory (up to \(config.pendingWindowLimit)) and retrying") }
                if lock.withLock({ stopping }) {
                    let lost = lock.withLock { () -> Int in
                        defer { status.windowsLost += queue.count; queue.removeAll(); status.windowsPending = 0 }
                        return queue.count
                    }
                    log("lab agent: stopping with \(lost) windows the store would not take: counted as lost (\(error))")
                    break
                }
                Thread.sleep(forTimeInterval: 1)
            }
            if Date().timeIntervalSince(lastRetention) >= 60 {
                lastRetention = Date()
                applyRetention()
            }
        }
        for line in lock.withLock({ () -> [String] in defer { pendingLog.removeAll() }; return pendingLog }) { log(line) }
        writerDone.signal()
    }

    /// One row per kind and process, each with the process's labels and the whole window's drops and
    /// unreadable stacks (agent-wide counters): readers count each window once (`windowLosses`), so a
    /// selection of one version or kind still shows what its windows lost.
    private func write(_ window: AgentWindow) throws -> [RunID] {
        var rows: [(profile: Profile, run: StoredRun)] = []
        let services = config.targets == .all ? serviceLabels() : [:]
        for profile in window.profiles {
            for part in ProfileSplit.byPID(profile) where !part.profile.samples.isEmpty {
                let process = part.pid.map { services[$0] ?? labels(of: $0, in: window) } ?? ProcessLabels(command: "")
                var run = StoredRun(
                    id: RunID(0), service: process.service, version: process.version, pid: part.pid, kind: profile.metadata.kind,
                    hz: profile.metadata.hz, unwindMode: profile.metadata.unwindMode, startUnixNs: window.startUnixNs, endUnixNs: window.endUnixNs,
                    monotonicStartNs: window.startMonotonicNs, dropped: Int64(clamping: window.drops),
                    unreadable: Int64(clamping: window.unreadable),
                    host: host, command: process.command, sampleCount: 0, totalValue: 0)
                run.period = profile.metadata.samplingPeriod
                rows.append((part.profile, run))
            }
        }
        let ids = try store.writeAll(rows)
        pusher?.enqueue(rows.map { PyroscopePusher.Item(profile: $0.profile, run: $0.run) })
        return ids
    }

    /// The follower's labels (service, version) when it follows `pid`, else the command name the
    /// agent took from the process's own events.
    private func labels(of pid: Int32, in window: AgentWindow) -> ProcessLabels {
        if let known = lock.withLock({ labels[pid] }) { return known }
        return ProcessLabels(command: window.commands[pid] ?? ProcessLabels.command(of: pid))
    }

    /// `--all`: the shop instances `lab service` runs, by pid, labelled with the service and their
    /// version like `--service` labels them (read once per window).
    private func serviceLabels() -> [Int32: ProcessLabels] {
        var labels: [Int32: ProcessLabels] = [:]
        for status in ServiceController().status() where status.alive {
            let instance = status.instance
            labels[instance.pid] = ProcessLabels(command: ProcessLabels.command(of: instance.pid), service: config.serviceName, version: instance.version)
        }
        return labels
    }

    /// Drops the labels of followed processes that were already gone at the previous window: by now
    /// their last samples are written (writer thread).
    private func forgetGoneLabels() {
        // With windows still queued, one of them may hold a gone process's last samples.
        guard lock.withLock({ queue.isEmpty }) else { return }
        let gone = Set(lock.withLock { Array(labels.keys) }.filter { !ProcessStatus.isAlive($0) })
        let forgotten = goneAtLastWrite.intersection(gone)
        lock.withLock { for pid in forgotten { labels[pid] = nil } }
        goneAtLastWrite = gone.subtracting(forgotten)
    }

    private func applyRetention() {
        do {
            let report = try store.applyRetention(config.retention, nowUnixNs: UInt64(Date().timeIntervalSince1970 * 1e9))
            if report.deletedWindows + report.mergedWindows > 0 {
                log("lab agent: retention: \(report.deletedWindows) windows deleted, \(report.mergedWindows) downsampled; store data \(report.bytesBefore / 1_048_576) -> \(report.bytesAfter / 1_048_576) MiB"
                    + (report.unfinished ? " (time budget reached; the next pass goes on)" : ""))
            }
            if report.malformedWindows > 0 {
                log("lab agent: retention deleted \(report.malformedWindows) windows whose stack lists could not be read (a damaged store)")
            }
        } catch {
            log("lab agent: \(error)")
        }
    }

    // MARK: - following the service, the status line

    /// Every 200 ms: service instances that appeared become targets, labelled with their version,
    /// each once (the agent applies an add at its next drain). An instance that is gone leaves the
    /// target set by itself: the agent drops targets that exited.
    private func followLoop() {
        let controller = ServiceController()
        // When each instance was last handed to the agent: one that is still no target 2 s later (its
        // add failed, and the agent noted why) is handed again, quietly.
        var followed: [Int32: Date] = [:]
        while !lock.withLock({ stopping }) {
            let live = controller.status().filter(\.alive).map(\.instance)
            let livePids = Set(live.map(\.pid))
            followed = followed.filter { livePids.contains($0.key) }
            let targets = Set(agent.currentTargets)
            for instance in live {
                if let handed = followed[instance.pid] {
                    guard !targets.contains(instance.pid), Date().timeIntervalSince(handed) > 2 else { continue }
                    followed[instance.pid] = Date()
                    agent.addTarget(instance.pid)
                    continue
                }
                followed[instance.pid] = Date()
                lock.withLock {
                    labels[instance.pid] = ProcessLabels(command: ProcessLabels.command(of: instance.pid), service: config.serviceName, version: instance.version)
                }
                agent.addTarget(instance.pid)
                log("lab agent: following \(config.serviceName) \(instance.version) (pid \(instance.pid), port \(instance.port))")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    private func statusLoop() {
        var meter = ProcessUsageMeter(pid: getpid())
        while !lock.withLock({ stopping }) {
            let deadline = Date().addingTimeInterval(config.statusSeconds)
            while Date() < deadline, !lock.withLock({ stopping }) { Thread.sleep(forTimeInterval: 0.2) }
            if lock.withLock({ stopping }) { break }
            if let usage = meter.read() {
                lock.withLock {
                    status.agentCPUMsPerSecond = usage.cpuMsPerSecond
                    status.agentRSSBytes = usage.rssBytes
                    status.agentHeapBytes = ProcessHeap.bytesInUse
                }
            }
            log(snapshot().line)
        }
    }

    private func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        threads.append(thread)
        thread.start()
    }
}
