@testable import ProfileModel
import Testing

@Suite("Frame classification table")
struct FrameClassificationTests {
    @Test("libraries by file name")
    func libraries() {
        #expect(FrameClassification.kind(ofLibrary: "libswiftCore.so") == .swiftRuntime)
        #expect(FrameClassification.kind(ofLibrary: "libFoundationEssentials.so") == .swiftRuntime)
        #expect(FrameClassification.kind(ofLibrary: "libc.so.6") == .libc)
        #expect(FrameClassification.kind(ofLibrary: "ld-linux-x86-64.so.2") == .libc)
        #expect(FrameClassification.kind(ofLibrary: "libpython3.11.so.1.0") == .interpreter)
        #expect(FrameClassification.kind(ofLibrary: "python3.11") == .interpreter)
        #expect(FrameClassification.kind(ofLibrary: "worker.py") == .python)
        #expect(FrameClassification.kind(ofLibrary: "[kernel.kallsyms]") == .kernel)
        #expect(FrameClassification.kind(ofLibrary: "libsqlite3.so.0") == nil)
    }

    @Test("names alone, for inputs without kinds")
    func guesses() {
        #expect(FrameClassification.guess(name: Frame.unknownName) == .unknown)
        #expect(FrameClassification.guess(name: "libpython3.11.so+0x1a2b") == .unknown)
        #expect(FrameClassification.guess(name: "_PyEval_EvalFrameDefault") == .interpreter)
        #expect(FrameClassification.guess(name: "PyObject_Call") == .interpreter)
        #expect(FrameClassification.guess(name: "swift_retain") == .swiftRuntime)
        #expect(FrameClassification.guess(name: "Swift.Array.append(_:)") == .swiftRuntime)
        #expect(FrameClassification.guess(name: "start_thread") == .libc)
        #expect(FrameClassification.guess(name: "Shop.Pricing.apply(_:)") == .app)
        #expect(FrameClassification.guess(name: "sqlite3_step") == .native)
        #expect(FrameClassification.guess(name: "f", module: "/usr/lib/libc.so.6") == .libc)
    }

    @Test("placeholders and addresses are not named")
    func named() {
        #expect(!Frame.unknown().isNamed)
        #expect(!Frame(name: Frame.unknownPythonName, kind: .python).isNamed)
        #expect(!Frame(name: "0x7f12").isNamed)
        #expect(!Frame(name: "[vdso]+0x9a0").isNamed)
        #expect(Frame(name: "main").isNamed)
    }
}
