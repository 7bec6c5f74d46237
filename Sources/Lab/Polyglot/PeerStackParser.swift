import Foundation
import ProfileModel
import LabRuntime

/// Parses the peers' text output into stacks (root first) with their sample counts.
public enum PeerStackParser {
    /// `perf script -F tid,ip,sym,dso`: one block per sample, a header line then one tab-indented
    /// frame per line, leaf first; blocks are separated by blank lines. The header is the tid padded
    /// to five columns (` 9142 `), so only a leading tab marks a frame line.
    public static func perfScript(_ text: String, executablePath: String) -> StackSamples {
        var samples = StackSamples()
        var leafFirst: [Frame] = []
        var inSample = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if inSample { samples.add(Array(leafFirst.reversed())) }
                leafFirst = []
                inSample = false
            } else if line.first == "\t" {
                if let frame = PeerFrameLine.frame(String(line), executablePath: executablePath) { leafFirst.append(frame) }
            } else {
                if inSample { samples.add(Array(leafFirst.reversed())) }
                leafFirst = []
                inSample = true
            }
        }
        if inSample { samples.add(Array(leafFirst.reversed())) }
        return samples
    }

    /// bpftrace's map print for `@[ustack(perf), kstack(perf)] = count()`:
    /// `@[` / user frames (leaf first) / `, ` / kernel frames (leaf first) / `]: COUNT`.
    /// The stack is kernel frames above user frames, as the agent builds it.
    public static func bpftraceMap(_ text: String, executablePath: String) -> StackSamples {
        var samples = StackSamples()
        var user: [Frame] = []
        var kernel: [Frame] = []
        var inKernel = false
        for raw in text.split(separator: "\n") {
            var line = String(raw)
            if line.hasPrefix(",") {
                // `, ` opens the kernel stack; an empty one closes on the same line: `, ]: 3`.
                inKernel = true
                line = line.dropFirst().trimmingCharacters(in: .whitespaces)
            }
            if line.hasPrefix("@[") {
                user = []
                kernel = []
                inKernel = false
            } else if line.hasPrefix("]:") {
                let count = Int(line.dropFirst(2).trimmingCharacters(in: .whitespaces)) ?? 0
                if count > 0 { samples.add(Array(user.reversed()) + Array(kernel.reversed()), weight: count) }
            } else if let frame = PeerFrameLine.frame(line, executablePath: executablePath) {
                if inKernel { kernel.append(frame) } else { user.append(frame) }
            }
        }
        return samples
    }
}
