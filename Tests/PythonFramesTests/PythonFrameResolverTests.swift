import ProfileModel
import Foundation
import FlamelabTesting
import Testing
import Symbolize

/// Reading code objects of a live python3.11 (no BPF needed: the script prints its code objects' ids).
struct PythonFrameResolverTests {
    /// Starts cpu_split.py and returns it with its pid-registered info and the two code pointers.
    static func startScript() throws -> (ScriptProcess, PythonProcessInfo, hotA: UInt64, hotB: UInt64)? {
        guard TestEnvironment.require(FileManager.default.isExecutableFile(atPath: TestPaths.debianPython),
                                      "\(TestPaths.debianPython) is missing (apt-get install python3.11)") else { return nil }
        let script = try ScriptProcess(executable: TestPaths.debianPython, arguments: ["cpu_split.py", "30"])
        guard script.waitUntilReady(), script.readyWords.count == 3,
              let hotA = UInt64(script.readyWords[1]), let hotB = UInt64(script.readyWords[2]),
              let info = PythonProcessInfo.detect(pid: script.pid) else {
            Issue.record("failed to start cpu_split.py: \(script.readyWords)")
            script.stop()
            return nil
        }
        return (script, info, hotA, hotB)
    }

    @Test func namesFilesAndLinesOfLiveCodeObjects() throws {
        guard let (script, info, hotA, hotB) = try Self.startScript() else { return }
        defer { script.stop() }
        let resolver = PythonFrameResolver()
        resolver.register(info)
        let frames = resolver.resolve(pid: script.pid, frames: [
            PythonRawFrame(code: hotA, firstLineNumber: Int32(CPUSplitScript.hotAFirstLine), lasti: -1, group: 0),
            PythonRawFrame(code: hotB, firstLineNumber: Int32(CPUSplitScript.hotBFirstLine), lasti: -1, group: 0),
        ])
        #expect(frames.map(\.name) == [CPUSplitScript.hotA, CPUSplitScript.hotB])
        #expect(frames.map(\.module) == ["cpu_split.py", "cpu_split.py"])
        #expect(frames.map(\.line) == [CPUSplitScript.hotAFirstLine, CPUSplitScript.hotBFirstLine])
        #expect(frames.allSatisfy { $0.kind == .python && $0.file?.hasSuffix("cpu_split.py") == true })
        // Second time from the cache, after the process is gone.
        script.stop()
        let again = resolver.resolve(pid: script.pid, frames: [
            PythonRawFrame(code: hotA, firstLineNumber: Int32(CPUSplitScript.hotAFirstLine), lasti: 2, group: 0),
        ])
        #expect(again.first?.name == CPUSplitScript.hotA)
        #expect(again.first?.line == CPUSplitScript.hotACallLine)
        #expect(resolver.statistics.cacheHits == 1)
        #expect(resolver.statistics.unresolvedFrames == 0)
    }

    @Test func reusedOrWrongPointersAreNotTrusted() throws {
        guard let (script, info, hotA, _) = try Self.startScript() else { return }
        defer { script.stop() }
        let resolver = PythonFrameResolver()
        resolver.register(info)
        let frames = resolver.resolve(pid: script.pid, frames: [
            PythonRawFrame(code: hotA, firstLineNumber: 77, lasti: 0, group: 0),      // first line mismatch
            PythonRawFrame(code: hotA + 8, firstLineNumber: 21, lasti: 0, group: 0),  // not a code object
            PythonRawFrame(code: 8, firstLineNumber: 21, lasti: 0, group: 0),         // unmapped
        ])
        #expect(frames.allSatisfy { $0.name == Frame.unknownPythonName })
        #expect(resolver.statistics.unresolvedFrames == 3)
        #expect(resolver.statistics.lastError?.hasPrefix("failed to ") == true)
    }
}
