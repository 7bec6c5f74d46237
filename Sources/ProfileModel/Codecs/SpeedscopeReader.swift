/// Turns a parsed speedscope document into a `Profile`, checking types, indices, lengths and units.
struct SpeedscopeReader {
    let root: JSONValue

    private func fail(_ path: String, _ reason: String) -> ProfileParseError {
        ProfileParseError(format: SpeedscopeCodec.format, location: .field(path), reason: reason)
    }

    private func object(_ value: JSONValue?, _ path: String) throws -> [String: JSONValue] {
        guard let value else { throw fail(path, "missing") }
        guard case .object(let members) = value else { throw fail(path, "expected an object, found \(value.typeName)") }
        return members
    }

    private func array(_ value: JSONValue?, _ path: String) throws -> [JSONValue] {
        guard let value else { throw fail(path, "missing") }
        switch value {
        case .array(let values): return values
        case .numbers(let numbers): return numbers.map { .number($0) }
        default: throw fail(path, "expected an array, found \(value.typeName)")
        }
    }

    private func string(_ value: JSONValue?, _ path: String) throws -> String {
        guard let value else { throw fail(path, "missing") }
        guard case .string(let text) = value else { throw fail(path, "expected a string, found \(value.typeName)") }
        return text
    }

    private func numbers(_ value: JSONValue?, _ path: String) throws -> [Double] {
        guard let value else { return [] }
        guard let numbers = value.numberArray else { throw fail(path, "expected an array of numbers, found \(value.typeName)") }
        return numbers
    }

    func read() throws -> Profile {
        let top = try object(root, "(root)")
        let frames = try array(try object(top["shared"], "shared")["frames"], "shared.frames")
        let parsedFrames = try frames.enumerated().map { i, entry in
            try frame(try object(entry, "shared.frames[\(i)]"), "shared.frames[\(i)]")
        }
        let profiles = try array(top["profiles"], "profiles")
        var sampled: [(Int, [String: JSONValue])] = []
        var types: Set<String> = []
        for (i, entry) in profiles.enumerated() {
            let members = try object(entry, "profiles[\(i)]")
            let type = try string(members["type"], "profiles[\(i)].type")
            types.insert(type)
            if type == "sampled" { sampled.append((i, members)) }
        }
        guard let first = sampled.first else {
            throw fail("profiles", profiles.isEmpty ? "no profiles" : "no sampled profile (found: \(types.sorted().joined(separator: ", ")))")
        }
        let firstUnit = try string(first.1["unit"], "profiles[\(first.0)].unit")
        let (kind, scale) = try unit(firstUnit, path: "profiles[\(first.0)].unit")
        var profile = Profile(metadata: ProfileMetadata(kind: kind))
        let frameIDs = parsedFrames.map { profile.intern($0) }
        var total: Int64 = 0
        for (index, members) in sampled {
            let path = "profiles[\(index)]"
            let unitName = try string(members["unit"], path + ".unit")
            guard unitName == firstUnit else {
                throw fail(path + ".unit", "unit '\(unitName)' differs from the first sampled profile's '\(firstUnit)'")
            }
            try add(members, path: path, frameIDs: frameIDs, scale: scale, to: &profile, total: &total)
        }
        return profile
    }

    private func add(_ members: [String: JSONValue], path: String, frameIDs: [Int32], scale: Double,
                     to profile: inout Profile, total: inout Int64) throws {
        let samples = try members["samples"].map { try array($0, path + ".samples") } ?? []
        let weights = try numbers(members["weights"], path + ".weights")
        guard samples.count == weights.count else {
            throw fail(path + ".weights", "has \(weights.count) entries but samples has \(samples.count)")
        }
        var stack: [Int32] = []
        for (i, entry) in samples.enumerated() {
            let indices = try numbers(entry, "\(path).samples[\(i)]")
            stack.removeAll(keepingCapacity: true)
            for (j, raw) in indices.enumerated() {
                guard let index = Int(exactly: raw), index >= 0, index < frameIDs.count else {
                    throw fail("\(path).samples[\(i)][\(j)]", "frame index \(raw) is not one of the \(frameIDs.count) frames")
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

    private func frame(_ members: [String: JSONValue], _ path: String) throws -> Frame {
        let name = try string(members["name"], path + ".name")
        let file: String? = try members["file"].flatMap { value in
            if case .null = value { return nil }
            return try string(value, path + ".file")
        }
        var line: Int?
        if case .number(let raw)? = members["line"], raw >= 1, raw < 2e9 { line = Int(exactly: raw.rounded()) }
        if let file, file.hasSuffix(".py") {
            let module = file.split(separator: "/").last.map(String.init) ?? file
            return Frame(name: name, module: module, kind: .python, file: file, line: line)
        }
        if name.hasSuffix("_[k]") {
            return Frame(name: String(name.dropLast(4)), kind: .kernel, file: file, line: line)
        }
        return Frame(name: name, kind: FrameClassification.guess(name: name), file: file, line: line)
    }
}
