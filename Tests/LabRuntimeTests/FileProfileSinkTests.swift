import Agent
import Foundation
import LabRuntime
import ProfileModel
import Testing

/// The file sink: private files, one per kind, and a refused output before any recording.
@Suite struct FileProfileSinkTests {
    @Test func unwritableOutputIsRefusedBeforeRecording() throws {
        let sink = try FileProfileSink(path: "/nonexistent-dir/profile.folded")
        #expect(throws: FlamelabError("failed to write /nonexistent-dir/profile.folded: directory /nonexistent-dir does not exist", code: .input)) {
            try sink.checkWritable()
        }
        #expect(throws: FlamelabError.self) { try FileProfileSink(path: "/tmp/profile.svg") }
    }

    @Test func outputFilesArePrivateAndSplitByKind() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agent-sink-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var cpu = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99))
        cpu.add(stack: [Frame(name: "main"), Frame(name: "work")], value: 3)
        var off = Profile(metadata: ProfileMetadata(kind: .offcpu))
        off.add(stack: [Frame(name: "main"), Frame(name: "sleep")], value: 5_000)
        let sink = try FileProfileSink(path: dir + "/run.folded")
        try sink.write([cpu, off], stats: AgentRunStats())
        #expect(try String(contentsOfFile: dir + "/run.cpu.folded", encoding: .utf8) == "main;work 3\n")
        #expect(try String(contentsOfFile: dir + "/run.offcpu.folded", encoding: .utf8) == "main;sleep 5000\n")
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/run.cpu.folded")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

}
