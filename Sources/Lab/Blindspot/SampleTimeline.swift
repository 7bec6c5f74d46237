import ProfileModel
import LabRuntime

/// One profile's CPU samples of one process reduced to what the blind-spot scenario counts: when each
/// was taken and which watched functions were on its stack.
public struct SampleTimeline: Sendable {
    /// Sample times (bpf_ktime_get_ns, CLOCK_MONOTONIC), ascending.
    public private(set) var times: [UInt64] = []
    /// Per sample, bit i set when `functions[i]` is on the stack.
    public private(set) var masks: [UInt8] = []
    public let functions: [String]

    /// `functions` are substrings of frame names, e.g. `TaxCalculator.roundToCents`.
    public init(profile: Profile, pid: Int32, functions: [String]) {
        self.functions = functions
        var stackMasks: [Int: UInt8] = [:]
        var entries: [(UInt64, UInt8)] = []
        for sample in profile.samples where sample.labels.pid == nil || sample.labels.pid == pid {
            guard let time = sample.labels.timestampNs else { continue }
            let mask = stackMasks[sample.stackID] ?? Self.mask(of: profile.frames(ofStack: sample.stackID), functions)
            stackMasks[sample.stackID] = mask
            entries.append((time, mask))
        }
        entries.sort { $0.0 < $1.0 }
        times = entries.map(\.0)
        masks = entries.map(\.1)
    }

    private static func mask(of frames: [Frame], _ functions: [String]) -> UInt8 {
        var mask: UInt8 = 0
        for (index, function) in functions.enumerated() where frames.contains(where: { $0.name.contains(function) }) {
            mask |= 1 << UInt8(index)
        }
        return mask
    }

    /// The share estimate of `functions[index]` over samples taken in [start, end).
    public func estimate(function index: Int, from start: UInt64, to end: UInt64) -> ShareEstimate {
        let first = lowerBound(start)
        let last = lowerBound(end)
        var hits = 0
        for position in first..<max(first, last) where masks[position] & (1 << UInt8(index)) != 0 { hits += 1 }
        return ShareEstimate(hits: hits, samples: max(0, last - first))
    }

    private func lowerBound(_ time: UInt64) -> Int {
        var low = 0
        var high = times.count
        while low < high {
            let middle = (low + high) / 2
            if times[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
