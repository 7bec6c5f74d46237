/// Writes speedscope JSON by hand: fixed key order (stable expected files) and no per-sample
/// object allocation, so large profiles encode quickly.
struct SpeedscopeWriter {
    private(set) var text = ""

    mutating func write(_ profile: Profile, name: String) {
        text.reserveCapacity(profile.frames.count * 48 + profile.samples.count * 16 + 256)
        text += "{\"$schema\":" + Self.quoted(SpeedscopeCodec.schemaURL) + ",\"exporter\":\"flamelab\""
        text += ",\"name\":" + Self.quoted(name) + ",\"activeProfileIndex\":0,\"shared\":{\"frames\":["
        for (i, frame) in profile.frames.enumerated() {
            if i > 0 { text += "," }
            text += "\n{\"name\":" + Self.quoted(frame.kind == .kernel ? frame.name + "_[k]" : frame.name)
            if let file = frame.file { text += ",\"file\":" + Self.quoted(file) }
            if let line = frame.line { text += ",\"line\":" + String(line) }
            text += "}"
        }
        text += "]},\"profiles\":[{\"type\":\"sampled\",\"name\":" + Self.quoted(name)
        text += ",\"unit\":\"" + Self.unit(profile.metadata.valueUnit) + "\""
        let runs = Self.runs(of: profile.samples)
        let total = runs.reduce(Int64(0)) { $0 &+ $1.value }
        text += ",\"startValue\":0,\"endValue\":" + String(total) + ",\"samples\":["
        let stackTexts = profile.stacks.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }
        for (i, run) in runs.enumerated() {
            text += (i > 0 ? ",\n" : "\n") + stackTexts[run.stackID]
        }
        text += "],\"weights\":["
        for (i, run) in runs.enumerated() {
            text += (i > 0 ? "," : "") + String(run.value)
        }
        text += "]}]}\n"
    }

    /// Consecutive samples on the same stack, merged.
    private static func runs(of samples: [Sample]) -> [(stackID: Int, value: Int64)] {
        var runs: [(stackID: Int, value: Int64)] = []
        for sample in samples {
            if let last = runs.last, last.stackID == sample.stackID {
                runs[runs.count - 1].value = last.value &+ sample.value
            } else {
                runs.append((sample.stackID, sample.value))
            }
        }
        return runs
    }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        JSONStringLiteral.encode(s)
    }

    /// speedscope's unit for flamelab's: counts are `none`.
    static func unit(_ unit: SampleValueUnit) -> String {
        switch unit {
        case .samples, .allocations, .faults: return "none"
        case .nanoseconds: return "nanoseconds"
        case .bytes: return "bytes"
        }
    }
}
