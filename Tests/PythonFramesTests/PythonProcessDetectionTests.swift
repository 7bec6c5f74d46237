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
        #expect(info.version.description.hasPrefix("3.11."))
        #expect(info.walkerOffsets == PythonWalkerOffsets.buildTime(minor: 11))
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

    /// pyenv's 3.12 and 3.13 are read: 3.12 with the offsets generated from its headers, 3.13 with the
    /// ones its interpreter publishes in _Py_DebugOffsets, which must equal its headers' for 3.13.0.
    @Test(arguments: [12, 13])
    func pyenv312And313AreSupported(minor: Int) throws {
        guard let path = TestPaths.pyenvPython(minor: minor),
              TestEnvironment.require(FileManager.default.isExecutableFile(atPath: path), "pyenv 3.\(minor) is not installed") else { return }
        let script = try ScriptProcess(executable: path, arguments: ["cpu_split.py", "30"])
        defer { script.stop() }
        #expect(script.waitUntilReady())
        let detection = PythonProcessInfo.inspect(pid: script.pid)
        guard case .supported(let info) = detection else {
            Issue.record("expected pyenv 3.\(minor) to be supported, got \(detection)")
            return
        }
        print("detection of pyenv 3.\(minor): \(info.version) from \(info.layoutSource)")
        #expect(info.version.minor == minor)
        #expect(info.interpreterPath.hasSuffix("libpython3.\(minor).so.1.0"))
        #expect(info.loadBias != 0)
        #expect(info.layoutSource.contains(minor >= 13 ? "_Py_DebugOffsets" : "build time"))
        let built = PythonWalkerOffsets.buildTime(minor: minor)
        #expect(built != nil)
        if PythonVersion(hex: built?.versionHex ?? 0) == info.version {
            // Same patch release as the headers: the interpreter's own offsets must agree with them.
            #expect(info.walkerOffsets == built)
        }
    }

    /// The debug offsets of a live 3.13 read through /proc/pid/mem: parsed, checked, and refused when
    /// the cookie or a value is wrong (so bad offsets never reach the walker).
    @Test func debugOffsetsOf313AreValidatedBeforeUse() throws {
        guard let path = TestPaths.pyenvPython(minor: 13),
              TestEnvironment.require(FileManager.default.isExecutableFile(atPath: path), "pyenv 3.13 is not installed"),
              let size = PythonDebugOffsets.structSize(minor: 13) else { return }
        let script = try ScriptProcess(executable: path, arguments: ["cpu_split.py", "30"])
        defer { script.stop() }
        #expect(script.waitUntilReady())
        guard let info = PythonProcessInfo.detect(pid: script.pid) else {
            Issue.record("failed to detect pyenv 3.13")
            return
        }
        let bytes = try ProcessMemory.read(pid: script.pid, address: info.runtimeAddress, count: size)
        let offsets = try PythonDebugOffsets(bytes: bytes, minor: 13)
        #expect(offsets.version == info.version)
        #expect(!offsets.freeThreaded)
        #expect(try offsets.walkerOffsets() == info.walkerOffsets)

        var badCookie = bytes
        badCookie[0] = UInt8(ascii: "y")
        #expect(throws: (any Error).self) { try PythonDebugOffsets(bytes: badCookie, minor: 13) }
        #expect(throws: (any Error).self) { try PythonDebugOffsets(bytes: Array(bytes.prefix(100)), minor: 13) }
        #expect(throws: (any Error).self) { try PythonDebugOffsets(bytes: bytes, minor: 12) }
        // interpreter_frame.previous (byte 232 of the 3.13 struct) pushed past interpreter_frame.size (80).
        var outOfBounds = bytes
        outOfBounds.replaceSubrange(232..<240, with: withUnsafeBytes(of: UInt64(4096).littleEndian, Array.init))
        #expect(throws: (any Error).self) { try PythonDebugOffsets(bytes: outOfBounds, minor: 13).walkerOffsets() }
        // A moved field (as another patch release could have) is taken from the interpreter, not the headers.
        var moved = bytes
        moved.replaceSubrange(232..<240, with: withUnsafeBytes(of: UInt64(16).littleEndian, Array.init))
        #expect(try PythonDebugOffsets(bytes: moved, minor: 13).walkerOffsets().framePrevious == 16)
    }

    /// Versions without offsets: clear message, native frames only. 3.10 has no Py_Version: its version
    /// comes from the library's file name.
    @Test(arguments: [("3.10.13", "3.10"), ("3.9.18", "3.9")])
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
        #expect(message.contains("3.11–3.13"))
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
