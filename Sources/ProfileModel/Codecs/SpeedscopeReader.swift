/// Turns a decoded `SpeedscopeFile` into a `Profile`, checking indices, lengths and units.
struct SpeedscopeReader {
    let file: SpeedscopeFile

    private func fail(_ path: String, _ reason: String) -> ProfileParseError {
        ProfileParseError(format: SpeedscopeCodec.format, location: .field(path), reason: reason)
    }

    func read() throws -> Profile {
        let sampled = file.profiles.enumerated().filter { $0.element.type == "sampled" }
        guard !sampled.isEmpty else {
            let types = Set(file.profiles.map(\.type)).sorted().joined(separator: ", ")
            throw fail("profiles", file.profiles.isEmpty ? "no profiles" : "no sampled profile (found: \(types))")
        }
        let (kind, scale) = try unit(sampled[0].element.unit, path: "profiles[\(sampled[0].offset)].unit")
        var profile = Profile(metadata: ProfileMetadata(kind: kind))
        let frameIDs = file.shared.frames.map { profile.intern(frame($0)) }
        var total: Int64 = 0
        for (index, entry) in sampled {
            let path = "profiles[\(index)]"
            let (otherKind, otherScale) = try unit(entry.unit, path: path + ".unit")
            guard otherKind == kind, otherScale == scale else {
                throw fail(path + ".unit", "unit '\(entry.unit)' differs from the first sampled profile's")
            }
            try add(entry, path: path, frameIDs: frameIDs, scale: scale, to: &profile, total: &total)
        }
        return profile
    }

    private func add(_ entry: SpeedscopeFile.ProfileEntry, path: String, frameIDs: [Int32], scale: Double,
                     to profile: inout Profile, total: inout Int64) throws {
        let samples = entry.samples ?? []
        let weights = entry.weights ?? []
        guard samples.count == weights.count else {
            throw fail(path + ".weights", "has \(weights.count) entries but samples has \(samples.count)")
        }
        var stack: [Int32] = []
        for (i, indices) in samples.enumerated() {
            stack.removeAll(keepingCapacity: true)
            for (j, index) in indices.enumerated() {
                guard index >= 0 && index < frameIDs.count else {
                    throw fail("\(path).samples[\(i)][\(j)]", "frame index \(index) out of range (\(frameIDs.count) frames)")
                }
                stack.append(frameIDs[index])
            }
            let value = try weight(weights[i], scale: scale, path: "\(path).weights[\(i)]")
            let (sum, overflow) = total.addingReportingOverflow(value)
            guard !overflow else { throw fail("\(path).weights[\(i)]", "total weight overflows a 64-bit integer") }
            total = sum
            profile.add(stackID: profile.intern(stack: stack), value: value)
        }
    }

    private func weight(_ raw: Double, scale: Double, path: String) throws -> Int64 {
        let scaled = (raw * scale).rounded()
        guard raw.isFinite, scaled >= 0, scaled < 9.0e18 else { throw fail(path, "weight \(raw) is not a usable value") }
        return Int64(scaled)
    }

    /// The profile kind a unit implies, and the factor to nanoseconds (1 for counts).
    private func unit(_ unit: String, path: String) throws -> (ProfileKind, Double) {
        switch unit {
        case "none": return (.cpu, 1)
        case "nanoseconds": return (.offcpu, 1)
        case "microseconds": return (.offcpu, 1e3)
        case "milliseconds": return (.offcpu, 1e6)
        case "seconds": return (.offcpu, 1e9)
        default: throw fail(path, "unsupported unit '\(unit)'")
        }
    }

    private func frame(_ entry: SpeedscopeFile.FrameEntry) -> Frame {
        let line = entry.line.flatMap { $0.isFinite && $0 >= 1 && $0 < 2e9 ? Int($0) : nil }
        if let file = entry.file, file.hasSuffix(".py") {
            let module = file.split(separator: "/").last.map(String.init) ?? file
            return Frame(name: entry.name, module: module, kind: .python, file: file, line: line)
        }
        if entry.name.hasSuffix("_[k]") {
            return Frame(name: String(entry.name.dropLast(4)), kind: .kernel, file: entry.file, line: line)
        }
        return Frame(name: entry.name, kind: FrameKindHeuristic.kind(name: entry.name), file: entry.file, line: line)
    }
}
