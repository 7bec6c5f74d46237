import ProfileModel
import Symbolize

/// Bytes and calls allocated per service function, counted the same way for flamelab's alloc profile
/// and a peer's trace: each allocation goes to the leaf-most frame of the service's own code (so the
/// runtime and libc frames between it and malloc are skipped) or of the CPython interpreter it embeds
/// (counted as one, `interpreter`: an allocation libpython makes is the worker's, whichever Python line
/// asked for it, and flamelab's frame-pointer walk ends inside libpython, built without them). Only stacks
/// through `scope` (the request work) or through the interpreter (which only requests call) count, so
/// that both sides cover the same requests whatever else each recorded.
struct AllocationAttribution: Codable {
    /// One function's share, largest first.
    struct Entry: Codable {
        var function: String
        var bytes: Double
        var calls: Double
    }

    var entries: [Entry] = []
    var totalBytes: Double = 0
    var totalCalls: Double = 0

    /// The bytes per request over `requests` requests.
    func bytes(per requests: Int) -> Double { totalBytes / Double(max(requests, 1)) }

    /// The first `count` functions by bytes, as reports name them.
    func top(_ count: Int) -> [String] { entries.prefix(count).map(\.function) }

    /// The name the interpreter's own allocations are counted under.
    static let interpreter = "[CPython interpreter]"

    /// Adds one stack (leaf first, with each frame's kind) that allocated `bytes` in `calls` calls.
    mutating func add(leafFirst frames: [(name: String, kind: FrameKind)], bytes: Double, calls: Double, scope: String) {
        guard frames.contains(where: { $0.name.contains(scope) || $0.kind == .interpreter }),
              let owner = frames.first(where: { $0.kind == .app || $0.kind == .interpreter }) else { return }
        let function = owner.kind == .interpreter ? Self.interpreter : FunctionName.display(owner.name)
        if let index = entries.firstIndex(where: { $0.function == function }) {
            entries[index].bytes += bytes
            entries[index].calls += calls
        } else {
            entries.append(Entry(function: function, bytes: bytes, calls: calls))
        }
        totalBytes += bytes
        totalCalls += calls
    }

    /// Sorts the entries by bytes, largest first.
    mutating func rank() {
        entries.sort { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.function < $1.function }
    }

    /// flamelab's alloc profile (`Sample.objects` are the estimated calls).
    static func of(_ profile: Profile, scope: String) -> AllocationAttribution {
        var result = AllocationAttribution()
        for sample in profile.samples {
            let frames = profile.frames(ofStack: sample.stackID).reversed().map { (name: $0.name, kind: $0.kind) }
            result.add(leafFirst: frames, bytes: Double(sample.value), calls: Double(sample.objects ?? 0), scope: scope)
        }
        result.rank()
        return result
    }

    /// heaptrack's trace of a process whose executable is `executable`: frames of that file are the
    /// service's unless their symbol is Swift runtime code (stdlib specialisations compiled into it).
    /// `size` maps each request's size to the bytes counted (see `HeaptrackTrace.allocated(size:)`).
    static func of(_ trace: HeaptrackTrace, executable: String, scope: String, size: (Int64) -> Int64 = { $0 }) -> AllocationAttribution {
        var names: [String: String] = [:]
        func demangled(_ symbol: String) -> String {
            if let known = names[symbol] { return known }
            let name = SymbolNames.demangle(symbol)
            names[symbol] = name
            return name
        }
        var result = AllocationAttribution()
        for allocation in trace.allocated(size: size) {
            let frames = trace.stack(trace: allocation.trace).map { frame -> (name: String, kind: FrameKind) in
                let moduleKind = FrameClassifier.kind(ofModule: frame.module, executablePath: executable)
                return (demangled(frame.function), FrameClassifier.kind(moduleKind: moduleKind, symbol: frame.function))
            }
            result.add(leafFirst: frames, bytes: Double(allocation.bytes), calls: Double(allocation.calls), scope: scope)
        }
        result.rank()
        return result
    }

    /// jemalloc's heap profile of a process whose executable is `executable`, named from the maps it carries.
    static func of(_ heap: JemallocHeapProfile, executable: String, scope: String) -> AllocationAttribution {
        var result = AllocationAttribution()
        for (frames, stack) in heap.symbolizedStacks(executable: executable) {
            result.add(leafFirst: frames.map { (name: $0.name, kind: $0.kind) }, bytes: stack.allocatedBytes,
                       calls: stack.allocatedObjects, scope: scope)
        }
        result.rank()
        return result
    }
}
