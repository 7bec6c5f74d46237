import Foundation
import ProfileModel
import FlamelabTesting
import Testing
@testable import Symbolize

@Suite("Symbolizer on real processes")
struct SymbolizerTests {
    @Test("names a known Swift function of the test process, demangled")
    func namesOwnSwiftFunction() {
        let address = symbolizeProbeFunction()
        let frames = Symbolizer().symbolizeUser(pid: TestProcess.pid, addresses: [address])
        #expect(frames.count == 1)
        #expect(frames[0].name == "SymbolizeTests.symbolizeProbeFunction() -> Swift.UInt64")
        #expect(frames[0].kind == .app)
        #expect(frames[0].module.hasSuffix(".xctest") || !frames[0].module.isEmpty)
    }

    @Test("simplified style gives the short name")
    func simplifiedStyle() {
        let address = symbolizeProbeFunction()
        let frames = Symbolizer(nameStyle: .simplified).symbolizeUser(pid: TestProcess.pid, addresses: [address])
        #expect(frames.map(\.name) == ["SymbolizeTests.symbolizeProbeFunction"])
    }

    @Test("names a C library function and classifies it as libc")
    func namesLibcFunction() throws {
        let address = try #require(TestProcess.address(ofSymbol: "getpid"))
        let frames = Symbolizer().symbolizeUser(pid: TestProcess.pid, addresses: [address])
        #expect(["getpid", "__getpid"].contains(frames[0].name), "got \(frames[0].name)")
        #expect(frames[0].kind == .libc)
        #expect(frames[0].module.hasPrefix("libc.so"))
    }

    @Test("names a Swift runtime function and classifies it as Swift runtime")
    func namesSwiftRuntimeFunction() throws {
        let address = try #require(TestProcess.address(ofSymbol: "swift_retain"))
        let frames = Symbolizer().symbolizeUser(pid: TestProcess.pid, addresses: [address])
        #expect(frames[0].name == "swift_retain")
        #expect(frames[0].kind == .swiftRuntime)
        #expect(frames[0].module == "libswiftCore.so")
    }

    @Test("return addresses are looked up one byte earlier; leaf stays exact")
    func returnAddressAdjustment() throws {
        let start = try #require(TestProcess.address(ofSymbol: "getpid"))
        // As a return address, the first byte of getpid belongs to the function before it.
        let frames = Symbolizer().symbolizeUser(pid: TestProcess.pid, addresses: [start, start])
        #expect(["getpid", "__getpid"].contains(frames[0].name))
        #expect(!["getpid", "__getpid"].contains(frames[1].name))
    }

    @Test("addresses outside every mapping are [unknown] and counted")
    func unmappedAddress() {
        let symbolizer = Symbolizer()
        let frames = symbolizer.symbolizeUser(pid: TestProcess.pid, addresses: [0x10, 0xffff_ffff_0000])
        #expect(frames.map(\.name) == ["[unknown]", "[unknown]"])
        #expect(frames.allSatisfy { $0.kind == .unknown })
        #expect(symbolizer.statistics.unknownFrames == 2)
    }

    @Test("a pid that does not exist gives [unknown] frames and a clear error, no crash")
    func nonexistentPid() {
        let symbolizer = Symbolizer()
        let missing: Int32 = 0x3fff_fff0
        let frames = symbolizer.symbolizeUser(pid: missing, addresses: [0x401000, 0x7f00_0000_1000])
        #expect(frames.map(\.name) == ["[unknown]", "[unknown]"])
        let error = symbolizer.error(pid: missing)
        #expect(error?.description.hasPrefix("failed to read /proc/\(missing)/maps:") == true, "\(String(describing: error))")
        #expect(symbolizer.statistics.unavailableProcesses == 1)
        #expect(symbolizer.symbolizeUser(pid: -1, addresses: [1]).map(\.name) == ["[unknown]"])
    }

    @Test("a process that exits after prepare() keeps its symbols")
    func exitedProcessKeepsSymbols() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["0.5"]
        try child.run()
        let pid = child.processIdentifier
        let libcMapping = try #require(waitForMapping(pid: pid) { $0.path.contains("/libc.so") && $0.fileOffset == 0 })
        let libc = try ElfImage.load(path: libcMapping.path)
        let getpid = try #require(libc.codeSymbols.address(named: "getpid") ?? libc.codeSymbols.address(named: "__getpid"))
        let bias = try #require(libc.loadBias(mappingStart: libcMapping.start, fileOffset: 0))

        let prepared = Symbolizer()
        prepared.prepare(pid: pid)
        child.waitUntilExit()
        let late = Symbolizer()
        let frames = prepared.symbolizeUser(pid: pid, addresses: [getpid + bias])
        #expect(["getpid", "__getpid"].contains(frames[0].name), "got \(frames[0].name)")
        #expect(late.symbolizeUser(pid: pid, addresses: [getpid + bias]).map(\.name) == ["[unknown]"])
    }

    @Test("kernel addresses are named from /proc/kallsyms", .requiresRoot)
    func kernelSymbols() throws {
        // The expected address comes from an independent reader of kallsyms (awk).
        let awk = Process()
        let output = Pipe()
        awk.executableURL = URL(fileURLWithPath: "/usr/bin/awk")
        awk.arguments = ["$2 == \"T\" && $3 == \"schedule\" { print $1; exit }", "/proc/kallsyms"]
        awk.standardOutput = output
        try awk.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        awk.waitUntilExit()
        let address = try #require(UInt64(printed.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16))
        let symbolizer = Symbolizer()
        #expect(symbolizer.kernelSymbolsError == nil, "\(String(describing: symbolizer.kernelSymbolsError))")
        let frames = symbolizer.symbolizeKernel(addresses: [address + 2, address + 1])
        #expect(frames.map(\.name) == ["schedule", "schedule"])
        #expect(frames.allSatisfy { $0.kind == .kernel && $0.module == "[kernel]" })
    }

    @Test("kallsyms text is parsed: text symbols only, module names kept")
    func kallsymsParsing() {
        let text = """
        ffffffff81000000 T _stext
        ffffffff81000100 t helper
        ffffffff82000000 D some_data
        ffffffffc0001000 t ext4_fill_super\t[ext4]
        0000000000000000 T hidden
        """
        let symbols = KernelSymbols(text: text)
        #expect(symbols.count == 3)
        #expect(symbols.frame(for: 0xffffffff81000150).name == "helper")
        #expect(symbols.frame(for: 0xffffffffc0001010).module == "[ext4]")
        #expect(symbols.frame(for: 0x1000).name == "[unknown]")
    }

    private func waitForMapping(pid: Int32, matching predicate: (MemoryMapping) -> Bool) -> MemoryMapping? {
        for _ in 0..<200 {
            if let maps = try? ProcessMaps.read(pid: pid), let found = maps.mappings.first(where: predicate) {
                return found
            }
            usleep(5_000)
        }
        return nil
    }
}

@Suite("ELF files")
struct ElfImageTests {
    @Test("a corrupt or truncated ELF file gives a clear error or an empty table, never a crash")
    func corruptFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("symbolize-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.so")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: garbage)
        #expect {
            try ElfImage.load(path: garbage.path)
        } throws: { error in
            "\(error)".hasPrefix("failed to read ELF \(garbage.path): not an ELF file")
        }
        let real = try Data(contentsOf: URL(fileURLWithPath: "/bin/true"))
        for length in [16, 64, 700, 4096, real.count / 2] {
            let truncated = directory.appendingPathComponent("truncated-\(length).so")
            try real.prefix(length).write(to: truncated)
            if let image = try? ElfImage.load(path: truncated.path) {
                #expect(image.codeSymbols.lookup(0x1000) == nil || image.codeSymbols.count > 0)
            }
        }
    }

    @Test("stripped libc gets its full symbol table from the detached debug file when installed")
    func detachedDebugSymbols() throws {
        let maps = try ProcessMaps.read(pid: TestProcess.pid)
        let libc = try #require(maps.mappings.first { $0.path.contains("/libc.so") }?.path)
        let image = try ElfImage.loadWithDebugSymbols(path: libc)
        let debugPath = "/usr/lib/debug/.build-id/\(image.buildID.prefix(2))/\(image.buildID.dropFirst(2)).debug"
        guard FileManager.default.fileExists(atPath: debugPath) else {
            #expect(image.debugFilePath == nil)
            return
        }
        #expect(image.debugFilePath == debugPath)
        #expect(image.codeSymbols.address(named: "start_thread") != nil)
    }
}

@Suite("vDSO")
struct VirtualDSOTests {
    @Test("vDSO addresses are named from this process's copy of the image")
    func namesVDSOFunction() throws {
        let maps = try ProcessMaps.read(pid: TestProcess.pid)
        let mapping = try #require(maps.mappings.first { $0.path == "[vdso]" })
        let vdso = try #require(VirtualDSO.current())
        let bias = try #require(vdso.loadBias(mappingStart: mapping.start))
        let vaddr = try #require(vdso.image.codeSymbols.address(named: "clock_gettime")
            ?? vdso.image.codeSymbols.address(named: "__vdso_clock_gettime"))
        let frames = Symbolizer().symbolizeUser(pid: TestProcess.pid, addresses: [vaddr + bias + 1])
        #expect(["clock_gettime", "__vdso_clock_gettime"].contains(frames[0].name), "got \(frames[0].name)")
        #expect(frames[0].module == "[vdso]")
    }
}

@Suite("Foreign processes and load bias")
struct ForeignProcessTests {
    @Test("a live python3.11 process: its interpreter code is named and classified as interpreter")
    func pythonProcess() throws {
        let python = "/usr/bin/python3.11"
        guard FileManager.default.fileExists(atPath: python) else {
            Issue.record("\(python) missing: install python3.11")
            return
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: python)
        child.arguments = ["-c", "import time; time.sleep(5)"]
        try child.run()
        defer { child.terminate(); child.waitUntilExit() }
        var executableMapping: MemoryMapping?
        for _ in 0..<400 where executableMapping == nil {
            executableMapping = (try? ProcessMaps.read(pid: child.processIdentifier))?.mappings.first {
                $0.path == python && $0.isExecutable
            }
            if executableMapping == nil { usleep(5_000) }
        }
        let mapping = try #require(executableMapping)
        let image = try ElfImage.load(path: python)
        let eval = try #require(image.codeSymbols.address(named: "_PyEval_EvalFrameDefault"))
        let bias = try #require(image.loadBias(mappingStart: mapping.start, fileOffset: mapping.fileOffset, isExecutable: true))
        // Debian's python3.11 is ET_EXEC (bias 0); a PIE build must get a non-zero bias.
        #expect((image.elfType == ElfImage.executableType) == (bias == 0), "type \(image.elfType) bias \(bias)")
        let frames = Symbolizer().symbolizeUser(pid: child.processIdentifier, addresses: [eval + bias + 16])
        #expect(frames[0].name == "_PyEval_EvalFrameDefault")
        #expect(frames[0].kind == .interpreter)
        #expect(frames[0].module == "python3.11")
    }

    @Test("load bias picks the PT_LOAD that starts on the mapping's page, by permission")
    func biasSelection() {
        // An lld-style layout: r-- at 0, r-x at file 0x1000 / vaddr 0x2000, segments sharing page 0x1000.
        let readOnly = ElfSegment(type: ElfSegment.loadType, flags: 4, offset: 0, vaddr: 0, fileSize: 0x1200, memorySize: 0x1200, alignment: 0x1000)
        let text = ElfSegment(type: ElfSegment.loadType, flags: 5, offset: 0x1200, vaddr: 0x2200, fileSize: 0x3000, memorySize: 0x3000, alignment: 0x1000)
        let image = ElfImage(segmentsForTesting: [readOnly, text])
        #expect(image.loadBias(mappingStart: 0x5555_0000_2000, fileOffset: 0x1000, isExecutable: true) == 0x5555_0000_0000)
        #expect(image.loadBias(mappingStart: 0x5555_0000_0000, fileOffset: 0, isExecutable: false) == 0x5555_0000_0000)
        #expect(image.loadBias(mappingStart: 0x5555_0000_3000, fileOffset: 0x2000, isExecutable: true) == 0x5555_0000_0000)
        #expect(image.loadBias(mappingStart: 0x5555_0000_0000, fileOffset: 0x9000) == nil)
    }

    @Test("module classification")
    func classification() {
        let exe = "/srv/shop/flamelab-shop"
        #expect(FrameClassifier.kind(ofModule: exe, executablePath: exe) == .app)
        #expect(FrameClassifier.kind(ofModule: "/usr/bin/python3.11", executablePath: "/usr/bin/python3.11") == .interpreter)
        #expect(FrameClassifier.kind(ofModule: "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", executablePath: exe) == .interpreter)
        #expect(FrameClassifier.kind(ofModule: "/opt/swift/usr/lib/swift/linux/libswiftCore.so", executablePath: exe) == .swiftRuntime)
        #expect(FrameClassifier.kind(ofModule: "/opt/swift/usr/lib/swift/linux/libFoundationEssentials.so", executablePath: exe) == .swiftRuntime)
        #expect(FrameClassifier.kind(ofModule: "/opt/swift/usr/lib/swift/linux/libdispatch.so", executablePath: exe) == .swiftRuntime)
        #expect(FrameClassifier.kind(ofModule: "/lib/x86_64-linux-gnu/libc.so.6", executablePath: exe) == .libc)
        #expect(FrameClassifier.kind(ofModule: "/lib64/ld-linux-x86-64.so.2", executablePath: exe) == .libc)
        #expect(FrameClassifier.kind(ofModule: "/lib/x86_64-linux-gnu/libsqlite3.so.0", executablePath: exe) == .native)
        #expect(FrameClassifier.kind(moduleKind: .app, symbol: "swift_retain") == .swiftRuntime)
        #expect(FrameClassifier.kind(moduleKind: .app, symbol: "$sSa6appendyyxnF") == .swiftRuntime)
        #expect(FrameClassifier.kind(moduleKind: .app, symbol: "$s4Deep1ays6UInt64VSdF") == .app)
        #expect(FrameClassifier.kind(moduleKind: .native, symbol: "swift_retain") == .native)
    }
}
