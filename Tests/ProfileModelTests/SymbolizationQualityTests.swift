@testable import ProfileModel
import Testing

@Suite("Symbolization quality figures")
struct SymbolizationQualityTests {
    let start = Frame(name: "_start", module: "shop", kind: .app)
    let main = Frame(name: "main", module: "shop", kind: .app)
    let handler = Frame(name: "Shop.handle", module: "shop", kind: .app)
    let eval = Frame(name: "_PyEval_EvalFrameDefault", module: "libpython3.11.so.1.0", kind: .interpreter)
    let pythonAddress = Frame(name: "libpython3.11.so.1.0+0x1a2b3c", module: "libpython3.11.so.1.0", kind: .interpreter)
    let unknown = Frame.unknown()
    let syscall = Frame(name: "do_syscall_64", module: "[kernel]", kind: .kernel)

    @Test("counts named frames, [unknown] frames and root-reaching stacks per class")
    func figures() {
        let stacks: [[Frame]] = [
            [start, main, handler, syscall],          // complete, with kernel frames at the leaf end
            [start, main, eval, pythonAddress],       // complete, one unnamed interpreter frame
            [unknown, pythonAddress, eval],           // broken: outermost frame unknown
        ]
        let quality = SymbolizationQuality(stacks: stacks)
        let interpreter = quality.byKind[.interpreter]!
        #expect(interpreter.frames == 4)
        #expect(interpreter.namedFrames == 2)
        #expect(interpreter.namedPercent == 50)
        #expect(interpreter.stacks == 2)
        #expect(interpreter.stacksReachingRoot == 1)
        #expect(quality.byKind[.app]!.namedPercent == 100)
        #expect(quality.byKind[.app]!.rootReachedPercent == 100)
        #expect(quality.byKind[.unknown]!.unknownFrames == 1)
        #expect(quality.total.unknownFrames == 1)
        #expect(quality.userStacks == 3)
        #expect(quality.userStacksReachingRoot == 2)
        #expect(quality.byKind[.kernel]!.namedFrames == 1)
    }

    @Test("leaf-first order and weights")
    func orderAndWeights() {
        let quality = SymbolizationQuality(stacks: [[handler, main, start], [handler, unknown]], order: .leafFirst, weights: [3, 1])
        #expect(quality.userStacks == 4)
        #expect(quality.userStacksReachingRoot == 3)
        #expect(quality.byKind[.app]!.frames == 10)
    }

    @Test("address-only names are not named")
    func addressNames() {
        #expect(!SymbolizationQuality.isNamed(pythonAddress))
        #expect(!SymbolizationQuality.isNamed(unknown))
        #expect(!SymbolizationQuality.isNamed(Frame(name: "[vdso]+0x9a0", module: "[vdso]", kind: .native)))
        #expect(SymbolizationQuality.isNamed(Frame(name: "operator+", module: "libstdc++.so.6", kind: .native)))
        #expect(SymbolizationQuality.isNamed(eval))
    }
}

@Suite("Symbolization quality of a Profile")
struct ProfileQualityTests {
    @Test("samples count once each, or by value")
    func profileSamples() {
        var profile = Profile()
        let start = Frame(name: "_start", module: "shop", kind: .app)
        let work = Frame(name: "Shop.work", module: "shop", kind: .app)
        profile.add(stack: [start, work], value: 5)
        profile.add(stack: [start, work], value: 1)
        profile.add(stack: [Frame.unknown(), work], value: 2)
        let bySample = SymbolizationQuality(profile: profile)
        #expect(bySample.userStacks == 3)
        #expect(bySample.userStacksReachingRoot == 2)
        let byValue = SymbolizationQuality(profile: profile, weightByValue: true)
        #expect(byValue.userStacks == 8)
        #expect(byValue.userStacksReachingRoot == 6)
        #expect(byValue.byKind[.unknown]?.unknownFrames == 2)
    }
}
