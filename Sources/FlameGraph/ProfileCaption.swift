import ProfileModel

/// The title and subtitle every flame graph carries: what was measured and how.
public struct ProfileCaption: Sendable, Equatable {
    public var title: String
    public var subtitle: String

    public init(title: String, subtitle: String) {
        self.title = title
        self.subtitle = subtitle
    }

    /// Caption for `profile`: the kind, hz, unwind mode, sample count and time window from its metadata.
    /// `title` overrides the default title (`CPU flame graph: shop v2`).
    public init(profile: Profile, title: String? = nil) {
        let meta = profile.metadata
        self.title = title ?? Self.defaultTitle(meta)
        self.subtitle = Self.subtitle(meta, sampleCount: profile.samples.count, total: profile.totalValue)
    }

    /// The kind in words, lower case but for CPU: `CPU`, `off-CPU`, `allocated memory`, `page faults`.
    public static func kindLabel(_ kind: ProfileKind) -> String {
        switch kind {
        case .cpu: return "CPU"
        case .offcpu: return "off-CPU"
        case .alloc: return "allocated memory"
        case .inuse: return "in-use memory"
        case .faults: return "page faults"
        }
    }

    static func defaultTitle(_ meta: ProfileMetadata) -> String {
        var title = "\(kindLabel(meta.kind)) flame graph"
        let who = [meta.service, meta.version].compactMap { $0 }.filter { !$0.isEmpty }
        if !who.isEmpty { title += ": " + who.joined(separator: " ") }
        return title
    }

    static func subtitle(_ meta: ProfileMetadata, sampleCount: Int, total: Int64) -> String {
        var parts = [kindLabel(meta.kind)]
        parts.append(Self.rate(meta))
        parts.append("unwind \(meta.unwindLabel)")
        switch meta.kind {
        case .cpu:
            parts.append(NumberFormat.value(total, unit: .samples))
        case .offcpu:
            parts.append("\(NumberFormat.grouped(Int64(sampleCount))) blocking events, \(NumberFormat.value(total, unit: .nanoseconds)) off CPU")
        case .alloc, .inuse:
            parts.append("\(NumberFormat.grouped(Int64(sampleCount))) sampled allocations, \(NumberFormat.value(total, unit: meta.valueUnit)) estimated")
        case .faults:
            parts.append("\(NumberFormat.grouped(Int64(sampleCount))) samples, \(NumberFormat.value(total, unit: .faults)) estimated")
        }
        parts.append(window(meta))
        if meta.dropped > 0 { parts.append("\(NumberFormat.grouped(meta.dropped)) dropped") }
        return parts.joined(separator: " · ")
    }

    /// How the profile samples: the rate, or that every block is recorded (off-CPU).
    static func rate(_ meta: ProfileMetadata) -> String {
        if meta.kind.isMemory {
            return meta.allocationRateBytes.map { "1 sample per \(NumberFormat.bytes($0)) allocated (mean)" } ?? "rate not recorded"
        }
        if meta.kind == .faults {
            return meta.faultPeriod.map { "1 sample per \(NumberFormat.grouped($0)) page faults" } ?? "period not recorded"
        }
        // Off-CPU profiles record every block, not samples at a rate.
        return meta.kind == .offcpu ? "every block recorded" : meta.hz > 0 ? "\(meta.hz) Hz" : "hz not recorded"
    }

    static func window(_ meta: ProfileMetadata) -> String {
        guard meta.startUnixNs > 0, meta.endUnixNs >= meta.startUnixNs else { return "time window not recorded" }
        let seconds = Double(meta.endUnixNs - meta.startUnixNs) / 1e9
        return "\(NumberFormat.utc(unixNs: meta.startUnixNs)) + \(NumberFormat.fixed(seconds, 1)) s"
    }
}

extension ProfileCaption {
    /// Caption for a differential graph: both sides' versions, sample counts and settings.
    public init(base: Profile, candidate: Profile, title: String? = nil) {
        func side(_ p: Profile, _ fallback: String) -> String {
            let name = [p.metadata.service, p.metadata.version].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return name.isEmpty ? fallback : name
        }
        let kind = Self.kindLabel(candidate.metadata.kind)
        self.title = title ?? "Differential \(kind) flame graph: \(side(base, "base")) → \(side(candidate, "candidate"))"
        let meta = candidate.metadata
        var parts = [kind, Self.rate(meta),
                     "unwind \(meta.unwindLabel)"]
        parts.append("base \(NumberFormat.value(base.totalValue, unit: base.metadata.valueUnit)) → candidate \(NumberFormat.value(candidate.totalValue, unit: meta.valueUnit))")
        parts.append(Self.window(meta))
        parts.append("widths from candidate, colour = change in self share")
        self.subtitle = parts.joined(separator: " · ")
    }
}
