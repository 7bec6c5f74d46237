import Foundation
import FlamelabTesting
import Testing
import Symbolize

/// Finding the interpreter (and refusing other versions) in real processes.
struct PythonProcessDetectionTests {
    @Test func debianPython311IsSupported() throws {
        guard TestEnvironment.require(FileManager.default.isExecutableFile(atPath: TestPaths.debianPython),
                                      "\(TestPaths.debianPython) is missing (apt-get install python3.11)") else { return }
        let script = try ScriptProcess(executable: TestPaths.debianPython, arguments: ["cpu_split.py", "30"])
        defer { script.stop() }
        #expect(script.waitUntilReady())
        let detection = PythonProcessInfo.inspect(pid: script.pid)
        guard case .supported(let info) = detection else {
            Issue.record("expected a supported interpreter, got \(detection)")
            return
        }
        #expect(info.version == PythonVersion.supported)
        #expect(info.version.description.hasPrefix("3.11."))
        #expect(info.interpreterPath.hasSuffix("python3.11"))
        #expect(info.codeTypeAddress != 0 && info.unicodeTypeAddress != 0 && info.bytesTypeAddress != 0)
        // ET_EXEC (non-PIE) executable: no load bias. (The sampling test proves the address by walking from it.)
        #expect(info.loadBias == 0)
        #expect(PythonProcessInfo.detect(pid: script.pid) == info)
    }

    /// pyenv's 3.11.7 is another patch release of the built 3.11: the same layouts (docs/research/
    /// cpython-312-313.md compared the headers), so its frames are read.
    @Test func anotherPatchReleaseOfTheBuiltMinorIsSupported() throws {
        let path = "/root/.pyenv/versions/3.11.7/bin/python3.11"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            print("skipped: \(path) not installed")
            return
        }
        let script = try ScriptProcess(executable: path, arguments: ["cpu_split.py", "30"])
        defer { script.stop() }
        #expect(script.waitUntilReady())
        guard case .supported(let info) = PythonProcessInfo.inspect(pid: script.pid) else {
            Issue.record("expected pyenv 3.11.7 to be supported")
            return
        }
        #expect(info.version.description == "3.11.7")
    }

    /// pyenv's 3.12 and 3.13 have other struct layouts: clear message, native frames only.
    /// 3.10 has no Py_Version: its version comes from the library's file name.
    @Test(arguments: [("3.12.1", "3.12.1"), ("3.13.0", "3.13.0"), ("3.10.13", "3.10")])
    func otherVersionsAreRefusedWithAMessage(version: String, reported: String) throws {
        let path = "/root/.pyenv/versions/\(version)/bin/python\(version.split(separator: ".").prefix(2).joined(separator: "."))"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            print("skipped: \(path) not installed")
            return
        }
        let script = try ScriptProcess(executable: path, arguments: ["cpu_split.py", "30"])
        defer { script.stop() }
        #expect(script.waitUntilReady())
        let detection = PythonProcessInfo.inspect(pid: script.pid)
        guard case .unsupported(let found, let message) = detection else {
            Issue.record("expected unsupported, got \(detection)")
            return
        }
        print("detection of pyenv \(version): \(message)")
        #expect(found == reported)
        #expect(message.contains("unsupported Python version \(reported)"))
        #expect(message.contains("native frames only"))
        #expect(PythonProcessInfo.detect(pid: script.pid) == nil)
    }

    @Test func nonPythonProcessIsNotPython() throws {
        let sleeper = try ScriptProcess(executable: "/bin/sleep", arguments: ["30"])
        defer { sleeper.stop() }
        Thread.sleep(forTimeInterval: 0.2)
        guard case .notPython = PythonProcessInfo.inspect(pid: sleeper.pid) else {
            Issue.record("expected notPython")
            return
        }
    }

    @Test func missingProcessFailsWithAMessage() {
        let detection = PythonProcessInfo.inspect(pid: 0x3fff_fff0)
        guard case .failed(let message) = detection else {
            Issue.record("expected failed, got \(detection)")
            return
        }
        #expect(message.hasPrefix("failed to inspect pid"))
    }

    @Test func layoutsAreSharedWithinAMinorReleaseOfFinalBuilds() {
        let built = PythonVersion(hex: 0x030B_02F0)  // 3.11.2
        #expect(PythonVersion(hex: 0x030B_07F0).sharesLayout(with: built))   // 3.11.7
        #expect(!PythonVersion(hex: 0x030C_01F0).sharesLayout(with: built))  // 3.12.1
        #expect(!PythonVersion(hex: 0x030B_00B1).sharesLayout(with: built))  // 3.11.0b1
        #expect(built.sharesLayout(with: built))
    }

    @Test func versionsFormatLikeCPython() {
        #expect(PythonVersion(hex: 0x030B_02F0).description == "3.11.2")
        #expect(PythonVersion(hex: 0x030C_00A1).description == "3.12.0a1")
        #expect(PythonProcessInfo.versionFromFileName("/usr/lib/libpython3.12.so.1.0") == "3.12")
        #expect(PythonProcessInfo.versionFromFileName("/usr/bin/python3.9") == "3.9")
    }
}
