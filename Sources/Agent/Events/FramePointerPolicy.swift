import Foundation

/// `auto` unwinding: decides per sample, from the mappings its frames fall in, whether the
/// frame-pointer walk can be trusted or the DWARF unwind is needed.
///
/// Why per mapping: SwiftPM code keeps frame pointers (DESIGN §3), but Debian's libpython, glibc and
/// the loader do not; a walk that starts in or crosses them skips or invents callers.
final class FramePointerPolicy {
    private struct Mapping {
        let start: UInt64
        let end: UInt64
        let lacksFramePointers: Bool
    }

    private var mappings: [Int32: [Mapping]] = [:]
    private var lastRefresh: [Int32: Double] = [:]

    /// Basename prefixes of objects known to be built without frame pointers.
    static let framelessPrefixes = ["libpython", "python3", "libc.so", "libc-", "ld-linux", "libm.so", "libstdc++", "libgcc_s", "libpthread"]

    /// Frames at the root end that may sit in frameless code without harm (`_start`,
    /// `__libc_start_call_main`, `start_thread`, `clone3`): nothing lies beyond them.
    static let rootFramesTolerated = 3

    /// True when the FP walk `stack` (leaf first) needs DWARF unwinding instead: it is very short, or a
    /// frame other than the root ones is in code without frame pointers (its caller is skipped, or
    /// the walk beyond it is garbage).
    func needsDwarf(pid: Int32, stack: [UInt64], now: Double) -> Bool {
        if stack.count < 3 { return true }
        for address in stack.dropLast(Self.rootFramesTolerated) where lookup(pid: pid, address: address, now: now) == true {
            return true
        }
        return false
    }

    /// Snapshots `pid`'s mappings (call while the process is alive).
    func prepare(pid: Int32) {
        mappings[pid] = Self.readMappings(pid: pid)
    }

    /// Drops the snapshots of processes that exited.
    func forget(pids: Set<Int32>) {
        for pid in pids {
            mappings[pid] = nil
            lastRefresh[pid] = nil
        }
    }

    private func lookup(pid: Int32, address: UInt64, now: Double) -> Bool? {
        if mappings[pid] == nil { prepare(pid: pid) }
        if let hit = mappings[pid]?.first(where: { address >= $0.start && address < $0.end }) {
            return hit.lacksFramePointers
        }
        // A new library (dlopen) since the snapshot: refresh at most once a second.
        if now - (lastRefresh[pid] ?? 0) > 1 {
            lastRefresh[pid] = now
            prepare(pid: pid)
            return mappings[pid]?.first(where: { address >= $0.start && address < $0.end })?.lacksFramePointers
        }
        return nil
    }

    private static func readMappings(pid: Int32) -> [Mapping] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8) else { return [] }
        var result: [Mapping] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5, fields[1].contains("x") else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16) else { continue }
            let path = fields.count == 6 ? fields[5].trimmingCharacters(in: .whitespaces) : ""
            let base = (path as NSString).lastPathComponent
            let frameless = framelessPrefixes.contains { base.hasPrefix($0) }
            result.append(Mapping(start: start, end: end, lacksFramePointers: frameless))
        }
        return result
    }
}
