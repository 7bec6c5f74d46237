import ProfileModel

/// heaptrack's interpreted trace (what `heaptrack_interpret` writes, file format v3), reduced to what
/// the peer comparison needs: the bytes and calls allocated per call stack. The facts of the format:
/// every number is hex; `s <len> <text>` adds a string (indexed from 1), `i <ip> <module> [<function>
/// <file> <line>]...` an instruction pointer (from 1; the first function is the symbol, the rest its
/// inlined callees), `t <ip> <parent>` a trace node (from 1; 0 is the root), `a <size> <trace>` an
/// allocation kind (from 0), `+ <kind>` one allocation and `- <kind>` one free of it.
struct HeaptrackTrace {
    /// One frame of a stack: the (mangled) symbol and the module it lives in; "" when unknown.
    struct Frame: Equatable {
        var function: String
        var module: String
    }

    private var strings: [String] = [""]
    private var instructionPointers: [(module: Int, function: Int)] = [(0, 0)]
    private var traceNodes: [(ip: Int, parent: Int)] = [(0, 0)]
    private var allocationKinds: [(size: Int64, trace: Int)] = []
    private var callsPerKind: [Int64] = []

    /// Parses the interpreted text line by line; a malformed line is an error naming it.
    init(lines: some Sequence<Substring>) throws {
        for (number, line) in lines.enumerated() where !line.isEmpty {
            guard apply(line) else {
                throw FlamelabError.failed("parse", "heaptrack trace", "line \(number + 1) is malformed: \(line.prefix(80))")
            }
        }
    }

    /// Bytes and calls allocated, per trace node that has allocations; `size` maps a request's size to
    /// the bytes it counts for (the request itself by default, or what an allocator would give it).
    func allocated(size: (Int64) -> Int64 = { $0 }) -> [(trace: Int, bytes: Int64, calls: Int64)] {
        var byTrace: [Int: (Int64, Int64)] = [:]
        for (kind, calls) in callsPerKind.enumerated() where calls > 0 {
            let info = allocationKinds[kind]
            let sum = byTrace[info.trace] ?? (0, 0)
            byTrace[info.trace] = (sum.0 + size(info.size) * calls, sum.1 + calls)
        }
        return byTrace.map { (trace: $0.key, bytes: $0.value.0, calls: $0.value.1) }
    }

    /// The stack of trace node `trace`, leaf first (the allocator's caller first).
    func stack(trace: Int) -> [Frame] {
        var frames: [Frame] = []
        var node = trace
        while node > 0 && node < traceNodes.count && frames.count < 512 {
            let ip = instructionPointers[traceNodes[node].ip]
            frames.append(Frame(function: strings[ip.function], module: strings[ip.module]))
            node = traceNodes[node].parent
        }
        return frames
    }

    /// Handles one line; false when it does not parse.
    private mutating func apply(_ line: Substring) -> Bool {
        let tag = line.first!
        let rest = line.dropFirst(2)
        switch tag {
        case "s":
            guard let space = rest.firstIndex(of: " ") else { strings.append(""); return true }
            strings.append(String(rest[rest.index(after: space)...]))
        case "i":
            let fields = Self.hex(rest)
            guard fields.count >= 2 else { return false }
            instructionPointers.append((module: Self.index(fields[1], strings.count), function: fields.count >= 3 ? Self.index(fields[2], strings.count) : 0))
        case "t":
            let fields = Self.hex(rest)
            guard fields.count == 2 else { return false }
            traceNodes.append((ip: Self.index(fields[0], instructionPointers.count), parent: Self.index(fields[1], traceNodes.count)))
        case "a":
            let fields = Self.hex(rest)
            guard fields.count == 2 else { return false }
            allocationKinds.append((size: Int64(fields[0]), trace: Self.index(fields[1], traceNodes.count)))
            callsPerKind.append(0)
        case "+":
            guard let kind = Self.hex(rest).first, kind < callsPerKind.count else { return false }
            callsPerKind[kind] += 1
        default:
            break  // frees, timestamps, RSS, module maps, comments, the header: not needed here
        }
        return true
    }

    private static func hex(_ text: Substring) -> [Int] {
        text.split(separator: " ").compactMap { Int($0, radix: 16) }
    }

    /// `value` when it refers to an entry already read, else 0 (the unknown entry).
    private static func index(_ value: Int, _ count: Int) -> Int { value < count ? value : 0 }
}
