import ProfileModel
import Testing
import Symbolize

/// Placing Python frames into native stacks (leaf first).
struct PythonStackMergerTests {
    static let eval = Frame(name: "_PyEval_EvalFrameDefault", module: "libpython3.11.so.1.0", kind: .interpreter)
    static let vectorcall = Frame(name: "_PyObject_Vectorcall", module: "libpython3.11.so.1.0", kind: .interpreter)
    static let unnamed = Frame(name: "libpython3.11.so.1.0+0x1234", module: "libpython3.11.so.1.0", kind: .interpreter)
    static let leafC = Frame(name: "memcpy", module: "libc.so.6", kind: .libc)
    static let swiftMain = Frame(name: "main", module: "flamelab-shop", kind: .app)

    static func python(_ name: String) -> Frame {
        Frame(name: name, module: "worker.py", kind: .python, file: "/srv/worker.py", line: 1)
    }

    @Test func groupsGoLeafwardOfTheirEvalFrames() {
        var merger = PythonStackMerger()
        let native = [Self.leafC, Self.eval, Self.vectorcall, Self.eval, Self.swiftMain]
        let python = [(frame: Self.python("inner"), group: 0), (frame: Self.python("callback"), group: 0),
                      (frame: Self.python("outer"), group: 1), (frame: Self.python("<module>"), group: 1)]
        let merged = merger.merge(native: native, python: python)
        #expect(merged.map(\.name) == ["memcpy", "inner", "callback", "_PyEval_EvalFrameDefault", "_PyObject_Vectorcall",
                                       "outer", "<module>", "_PyEval_EvalFrameDefault", "main"])
        #expect(merger.statistics.placedAtEvalFrames == 1)
        #expect(merger.statistics.unmatchedGroups == 0)
    }

    @Test func groupsDeeperThanTheNativeStackGoToTheRoot() {
        var merger = PythonStackMerger()
        let merged = merger.merge(native: [Self.eval, Self.unnamed],
                                  python: [(frame: Self.python("leaf"), group: 0), (frame: Self.python("root"), group: 1)])
        #expect(merged.map(\.name) == ["leaf", "_PyEval_EvalFrameDefault", "libpython3.11.so.1.0+0x1234", "root"])
        #expect(merger.statistics.unmatchedGroups == 1)
    }

    @Test func withoutNamedEvalFramesPythonGoesAtTheLeafEndOfTheInterpreterRun() {
        var merger = PythonStackMerger()
        let merged = merger.merge(native: [Self.leafC, Self.unnamed, Self.unnamed, Self.swiftMain],
                                  python: [(frame: Self.python("f"), group: 0), (frame: Self.python("g"), group: 1)])
        #expect(merged.map(\.name) == ["memcpy", "f", "g", "libpython3.11.so.1.0+0x1234", "libpython3.11.so.1.0+0x1234", "main"])
        #expect(merger.statistics.placedAtInterpreterRun == 1)
    }

    @Test func withoutInterpreterFramesPythonGoesAtTheRoot() {
        var merger = PythonStackMerger()
        let merged = merger.merge(native: [Self.leafC], python: [(frame: Self.python("f"), group: 0)])
        #expect(merged.map(\.name) == ["memcpy", "f"])
        #expect(merger.statistics.placedAtRoot == 1)
    }

    @Test func noPythonFramesLeaveTheNativeStackAlone() {
        var merger = PythonStackMerger()
        let native = [Self.leafC, Self.eval, Self.swiftMain]
        #expect(merger.merge(native: native, python: []) == native)
        #expect(merger.statistics == PythonStackMerger.Statistics())
    }
}
