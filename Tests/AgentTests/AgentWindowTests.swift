import Agent
import Foundation
import ProfileModel
import FlamelabTesting
import Synchronization
import Testing

extension AgentBPFTests {
    /// Continuous mode: one attach, windows cut in user space, every sample in exactly one window.
    @Suite(.serialized)
    struct AgentWindowTests {
        @Test("windows tile the run and hold every sample the BPF programs emitted, once", .requiresRoot)
        func everySampleInExactlyOneWindow() throws {
            try TestEnvironment.requireRoot()
            let testee = try Testee(["cpu", "4"])
            try testee.waitUntilReady()
            let agent = Agent(config: AgentConfig(targets: .pids([testee.pid]), hz: 499, kinds: [.cpu, .offcpu], unwind: .fp,
                                                  python: .off, durationSeconds: nil, windowSeconds: 1))
            let windows = Mutex<[AgentWindow]>([])
            agent.onWindow = { window in windows.withLock { $0.append(window) } }
            try agent.start()
            testee.go()
            testee.waitForExit()
            Thread.sleep(forTimeInterval: 0.5)
            agent.requestStop()
            let recording = agent.finish()
            let cut = windows.withLock { $0 }
            #expect(cut.count >= 4, "a 4 s program in 1 s windows: \(cut.count) windows")
            #expect(cut.last?.isFinal == true && cut.dropLast().allSatisfy { !$0.isFinal })
            // Contiguous: each window starts where the last ended; none overlaps.
            for (previous, next) in zip(cut, cut.dropFirst()) {
                #expect(next.startMonotonicNs == previous.endMonotonicNs, "gap or overlap between windows \(previous.index) and \(next.index)")
                #expect(next.index == previous.index + 1)
            }
            // Every sample lies inside its window (the last one takes what arrived after its cut).
            for window in cut.dropLast() {
                for profile in window.profiles {
                    #expect(profile.samples.allSatisfy { ($0.labels.timestampNs ?? 0) < window.endMonotonicNs })
                    #expect(profile.samples.allSatisfy { ($0.labels.timestampNs ?? 0) >= window.startMonotonicNs || window.index == 0 })
                }
            }
            // The known count: what the BPF programs say they emitted, minus what the ring buffer dropped.
            let inWindows = cut.reduce(0) { $0 + $1.sampleCount }
            let drops = cut.reduce(UInt64(0)) { $0 + $1.drops }
            #expect(UInt64(inWindows) + drops == recording.stats.emittedEvents,
                    "windows hold \(inWindows) samples, \(drops) dropped, BPF emitted \(recording.stats.emittedEvents)")
            #expect(inWindows == recording.stats.cpuSamples + recording.stats.offCPUIntervals)
            #expect(recording.profiles.isEmpty, "in continuous mode the samples are in the windows only")
            // Each window names its processes from their own events (right after they exit too).
            for window in cut where window.sampleCount > 0 {
                #expect(window.commands[testee.pid]?.isEmpty == false, "window \(window.index) has no command for the testee")
            }
            print("agent windows: \(cut.count) windows, \(inWindows) samples, \(drops) drops, BPF emitted \(recording.stats.emittedEvents)")
        }

        @Test("a target added while running is sampled; one that exits leaves the target set", .requiresRoot)
        func targetsComeAndGo() throws {
            try TestEnvironment.requireRoot()
            let agent = Agent(config: AgentConfig(targets: .pids([]), hz: 499, kinds: [.cpu], unwind: .fp, python: .off,
                                                  durationSeconds: nil, windowSeconds: 1))
            let windows = Mutex<[AgentWindow]>([])
            agent.onWindow = { window in windows.withLock { $0.append(window) } }
            try agent.start()
            let testee = try Testee(["cpu", "2"])
            try testee.waitUntilReady()
            agent.addTarget(testee.pid)
            Thread.sleep(forTimeInterval: 0.6)
            testee.go()
            testee.waitForExit()
            // Exits are noticed once a second on the draining thread: give it a few of them.
            let deadline = Date().addingTimeInterval(5)
            while agent.currentTargets.contains(testee.pid), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            let targetsAfterExit = agent.currentTargets
            agent.requestStop()
            _ = agent.finish()
            let samples = windows.withLock { $0 }.flatMap(\.profiles).flatMap(\.samples).filter { $0.labels.pid == testee.pid }
            #expect(samples.count >= 100, "a 2 s CPU loop at 499 Hz added while running: \(samples.count) samples")
            #expect(!targetsAfterExit.contains(testee.pid), "targets after its exit: \(targetsAfterExit)")
        }
    }
}
