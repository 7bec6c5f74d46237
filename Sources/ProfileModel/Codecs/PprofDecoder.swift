/// Reads profile.proto bytes (already un-gzipped) into a `Profile`.
///
/// Works in two passes because profile.proto does not order its fields: first it records where
/// each top-level field lies, then it resolves strings, functions, mappings and locations, and
/// only then reads samples. Every id and string index is checked; errors name the field path.
struct PprofDecoder {
    private let bytes: [UInt8]

    // Pass one: where the top-level fields are.
    private var sampleTypeRanges: [Range<Int>] = []
    private var sampleRanges: [Range<Int>] = []
    private var mappingRanges: [Range<Int>] = []
    private var locationRanges: [Range<Int>] = []
    private var functionRanges: [Range<Int>] = []
    private var stringRanges: [Range<Int>] = []
    private var commentIndices: [UInt64] = []
    private var periodTypeRange: Range<Int>?
    private var period: Int64 = 0
    private var timeNanos: Int64 = 0
    private var durationNanos: Int64 = 0
    private var defaultSampleType: UInt64 = 0
    /// Set when CPU values are nanoseconds: the divisor that turns them into sample counts.
    private var cpuNanosecondsPerSample: Int64 = 1

    // Pass two: resolved tables.
    private var strings: [String] = []
    private var profile = Profile()
    /// Frame indices per location, root first (a location's inlined lines, reversed).
    private var locationFrames: [[Int32]] = []
    private var locationIndexByID: [UInt64: Int] = [:]
    private var denseLocationIDs = true

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func decode() throws -> Profile {
        try scanTopLevel()
        try readStrings()
        let (kind, valueIndex) = try chooseValue()
        profile = Profile(metadata: try metadata(kind: kind))
        let functions = try readFunctions()
        let mappings = try readMappings()
        try readLocations(functions: functions, mappings: mappings)
        try readSamples(valueIndex: valueIndex)
        return profile
    }

    // MARK: errors

    private func fail(_ path: String, _ reason: String) -> ProfileParseError {
        ProfileParseError(format: PprofCodec.format, location: .field(path), reason: reason)
    }

    /// Runs `body`, turning wire errors into parse errors that name `path`.
    private func at<T>(_ path: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ProtobufReader.WireError {
            throw fail(path(), error.reason)
        }
    }

    // MARK: pass one

    private mutating func scanTopLevel() throws {
        var reader = ProtobufReader(bytes)
        var index = 0
        while !reader.isAtEnd {
            index += 1
            let field = try at("Profile (field #\(index))") { try reader.readField() }
            try at("Profile.\(Self.profileFieldName(field.number))") { try record(field, reader: reader) }
        }
        guard !sampleTypeRanges.isEmpty else {
            throw fail("Profile.sample_type", "missing: not a pprof profile")
        }
    }

    private mutating func record(_ field: ProtobufReader.Field, reader: ProtobufReader) throws {
        switch field.number {
        case 1: sampleTypeRanges.append(try ProtobufReader.payload(field))
        case 2: sampleRanges.append(try ProtobufReader.payload(field))
        case 3: mappingRanges.append(try ProtobufReader.payload(field))
        case 4: locationRanges.append(try ProtobufReader.payload(field))
        case 5: functionRanges.append(try ProtobufReader.payload(field))
        case 6: stringRanges.append(try ProtobufReader.payload(field))
        case 9: timeNanos = Int64(bitPattern: try ProtobufReader.scalar(field))
        case 10: durationNanos = Int64(bitPattern: try ProtobufReader.scalar(field))
        case 11: periodTypeRange = try ProtobufReader.payload(field)
        case 12: period = Int64(bitPattern: try ProtobufReader.scalar(field))
        case 13: try reader.varints(of: field, into: &commentIndices)
        case 14: defaultSampleType = try ProtobufReader.scalar(field)
        default: break  // drop_frames, keep_frames, doc_url and unknown fields are ignored
        }
    }

    private static func profileFieldName(_ number: Int) -> String {
        let names = [1: "sample_type", 2: "sample", 3: "mapping", 4: "location", 5: "function", 6: "string_table",
                     9: "time_nanos", 10: "duration_nanos", 11: "period_type", 12: "period", 13: "comment",
                     14: "default_sample_type"]
        return names[number] ?? "field_\(number)"
    }

    // MARK: pass two: tables

    private mutating func readStrings() throws {
        strings = stringRanges.map { String(decoding: bytes[$0], as: UTF8.self) }
        guard let first = strings.first else { throw fail("Profile.string_table", "missing") }
        guard first.isEmpty else { throw fail("Profile.string_table[0]", "must be the empty string") }
    }

    private func string(_ index: UInt64, _ path: @autoclosure () -> String) throws -> String {
        guard index < UInt64(strings.count) else {
            throw fail(path(), "string index \(index) out of range (table has \(strings.count))")
        }
        return strings[Int(index)]
    }

    /// (type, unit) of a ValueType message.
    private func valueType(_ range: Range<Int>, _ path: String) throws -> (String, String) {
        var reader = ProtobufReader(bytes, range: range)
        var type: UInt64 = 0, unit: UInt64 = 0
        while !reader.isAtEnd {
            let field = try at(path) { try reader.readField() }
            switch field.number {
            case 1: type = try at(path + ".type") { try ProtobufReader.scalar(field) }
            case 2: unit = try at(path + ".unit") { try ProtobufReader.scalar(field) }
            default: break
            }
        }
        return (try string(type, path + ".type"), try string(unit, path + ".unit"))
    }

    /// Off-CPU when a type is `off_cpu`; otherwise CPU, valued by `samples`, else the default
    /// sample type, else the last type (pprof's own default); nanosecond CPU values are divided by
    /// the period.
    private mutating func chooseValue() throws -> (ProfileKind, Int) {
        var types: [String] = []
        var units: [String] = []
        for (i, range) in sampleTypeRanges.enumerated() {
            let (type, unit) = try valueType(range, "Profile.sample_type[\(i)]")
            types.append(type)
            units.append(unit)
        }
        if let i = types.firstIndex(of: "off_cpu") { return (.offcpu, i) }
        if let i = types.firstIndex(of: "samples") { return (.cpu, i) }
        let wanted = try string(defaultSampleType, "Profile.default_sample_type")
        let index = (wanted.isEmpty ? nil : types.firstIndex(of: wanted)) ?? types.count - 1
        // A foreign CPU profile valued in nanoseconds (Go's `cpu/nanoseconds`) becomes sample
        // counts by dividing by the period, so that share tests see counts, not nanoseconds.
        if units[index] == "nanoseconds" && period > 0 { cpuNanosecondsPerSample = period }
        return (.cpu, index)
    }

    private func metadata(kind: ProfileKind) throws -> ProfileMetadata {
        var meta = ProfileMetadata(kind: kind)
        meta.startUnixNs = UInt64(clamping: max(0, timeNanos))
        if durationNanos > 0 { meta.endUnixNs = meta.startUnixNs &+ UInt64(durationNanos) }
        if kind == .cpu, period > 0, let range = periodTypeRange,
           try valueType(range, "Profile.period_type") == ("cpu", "nanoseconds") {
            meta.hz = Int((1_000_000_000.0 / Double(period)).rounded())
        }
        for (i, index) in commentIndices.enumerated() {
            let comment = try string(index, "Profile.comment[\(i)]")
            guard comment.hasPrefix(PprofCodec.commentPrefix), let eq = comment.firstIndex(of: "=") else { continue }
            let key = comment[comment.index(comment.startIndex, offsetBy: PprofCodec.commentPrefix.count)..<eq]
            let value = String(comment[comment.index(after: eq)...])
            switch key {
            case "hz": meta.hz = max(0, Int(value) ?? meta.hz)
            case "unwind": meta.unwindMode = UnwindMode(rawValue: value)
            case "monotonic_start_ns": meta.monotonicStartNs = UInt64(value) ?? 0
            case "dropped": meta.dropped = Int64(value) ?? 0
            case "service": meta.service = value
            case "version": meta.version = value
            default: break
            }
        }
        return meta
    }

    private struct FunctionInfo {
        var name: String
        var systemName: String
        var file: String
    }

    private func readFunctions() throws -> [UInt64: FunctionInfo] {
        var result: [UInt64: FunctionInfo] = [:]
        for (i, range) in functionRanges.enumerated() {
            let path = "Profile.function[\(i)]"
            var reader = ProtobufReader(bytes, range: range)
            var id: UInt64 = 0, name: UInt64 = 0, system: UInt64 = 0, file: UInt64 = 0
            while !reader.isAtEnd {
                let field = try at(path) { try reader.readField() }
                let value = field.number <= 5 ? try at(path) { try ProtobufReader.scalar(field) } : 0
                switch field.number {
                case 1: id = value
                case 2: name = value
                case 3: system = value
                case 4: file = value
                default: break
                }
            }
            guard id != 0 else { throw fail(path + ".id", "function id 0 is reserved") }
            result[id] = FunctionInfo(name: try string(name, path + ".name"),
                                      systemName: try string(system, path + ".system_name"),
                                      file: try string(file, path + ".filename"))
        }
        return result
    }

    private func readMappings() throws -> [UInt64: String] {
        var result: [UInt64: String] = [:]
        for (i, range) in mappingRanges.enumerated() {
            let path = "Profile.mapping[\(i)]"
            var reader = ProtobufReader(bytes, range: range)
            var id: UInt64 = 0, file: UInt64 = 0
            while !reader.isAtEnd {
                let field = try at(path) { try reader.readField() }
                switch field.number {
                case 1: id = try at(path + ".id") { try ProtobufReader.scalar(field) }
                case 5: file = try at(path + ".filename") { try ProtobufReader.scalar(field) }
                default: break
                }
            }
            guard id != 0 else { throw fail(path + ".id", "mapping id 0 is reserved") }
            result[id] = try string(file, path + ".filename")
        }
        return result
    }

    private mutating func readLocations(functions: [UInt64: FunctionInfo], mappings: [UInt64: String]) throws {
        locationFrames.reserveCapacity(locationRanges.count)
        for (i, range) in locationRanges.enumerated() {
            let path = "Profile.location[\(i)]"
            var reader = ProtobufReader(bytes, range: range)
            var id: UInt64 = 0, mappingID: UInt64 = 0, address: UInt64 = 0
            var lines: [(UInt64, Int64)] = []
            while !reader.isAtEnd {
                let field = try at(path) { try reader.readField() }
                switch field.number {
                case 1: id = try at(path + ".id") { try ProtobufReader.scalar(field) }
                case 2: mappingID = try at(path + ".mapping_id") { try ProtobufReader.scalar(field) }
                case 3: address = try at(path + ".address") { try ProtobufReader.scalar(field) }
                case 4: lines.append(try readLine(try at(path + ".line") { try ProtobufReader.payload(field) },
                                                  path + ".line[\(lines.count)]"))
                default: break
                }
            }
            guard id != 0 else { throw fail(path + ".id", "location id 0 is reserved") }
            guard locationIndexByID[id] == nil else { throw fail(path + ".id", "duplicate location id \(id)") }
            var module = ""
            if mappingID != 0 {
                guard let m = mappings[mappingID] else { throw fail(path + ".mapping_id", "unknown mapping id \(mappingID)") }
                module = m
            }
            var frames: [Int32] = []
            if lines.isEmpty {
                let name = address != 0 && !module.isEmpty ? "\(module)+0x\(String(address, radix: 16))" : Frame.unknownName
                frames.append(profile.intern(Frame(name: name, module: module, kind: .unknown)))
            }
            // Lines run from the inlined (leaf) function outwards; stacks are root first.
            for (j, (functionID, lineNumber)) in lines.enumerated().reversed() {
                guard let function = functions[functionID] else {
                    throw fail(path + ".line[\(j)].function_id", "unknown function id \(functionID)")
                }
                frames.append(profile.intern(frame(function, module: module, line: lineNumber)))
            }
            if id != UInt64(locationFrames.count + 1) { denseLocationIDs = false }
            locationIndexByID[id] = locationFrames.count
            locationFrames.append(frames)
        }
    }

    private func readLine(_ range: Range<Int>, _ path: String) throws -> (UInt64, Int64) {
        var reader = ProtobufReader(bytes, range: range)
        var functionID: UInt64 = 0, line: Int64 = 0
        while !reader.isAtEnd {
            let field = try at(path) { try reader.readField() }
            switch field.number {
            case 1: functionID = try at(path + ".function_id") { try ProtobufReader.scalar(field) }
            case 2: line = Int64(bitPattern: try at(path + ".line") { try ProtobufReader.scalar(field) })
            default: break
            }
        }
        return (functionID, line)
    }

    private func frame(_ function: FunctionInfo, module: String, line: Int64) -> Frame {
        let kind: FrameKind
        if function.systemName.hasPrefix(PprofCodec.kindPrefix),
           let tagged = FrameKind(rawValue: String(function.systemName.dropFirst(PprofCodec.kindPrefix.count))) {
            kind = tagged
        } else {
            kind = FrameClassification.guess(name: function.name, module: module.isEmpty ? function.file : module)
        }
        return Frame(name: function.name, module: module, kind: kind,
                     file: function.file.isEmpty ? nil : function.file,
                     line: line > 0 && line <= Int64(Int32.max) ? Int(line) : nil)
    }

    // MARK: samples

    /// String ids of the label keys flamelab understands (nil when absent from the table).
    private struct LabelKeyIDs {
        var trace, span, pid, tid, timestamp: UInt64?
    }

    private mutating func readSamples(valueIndex: Int) throws {
        let keyIDs = LabelKeyIDs(trace: strings.firstIndex(of: "trace_id").map(UInt64.init),
                                 span: strings.firstIndex(of: "span_id").map(UInt64.init),
                                 pid: strings.firstIndex(of: "pid").map(UInt64.init),
                                 tid: strings.firstIndex(of: "tid").map(UInt64.init),
                                 timestamp: strings.firstIndex(of: "timestamp_ns").map(UInt64.init))
        var locationIDs: [UInt64] = []
        var values: [UInt64] = []
        // Samples repeat stacks: key the interned stack by its packed location-id bytes, so a
        // repeated stack costs one hash of its bytes instead of a lookup per frame.
        var stackByPackedIDs: [ArraySlice<UInt8>: Int] = [:]
        var packedIDs: Range<Int>?
        var stack: [Int32] = []
        var total: Int64 = 0
        for (i, range) in sampleRanges.enumerated() {
            locationIDs.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            packedIDs = nil
            var labels = SampleLabels()
            var reader = ProtobufReader(bytes, range: range)
            while !reader.isAtEnd {
                let field = try at("Profile.sample[\(i)]") { try reader.readField() }
                switch field.number {
                case 1:
                    packedIDs = field.wireType == 2 && locationIDs.isEmpty ? field.range : nil
                    try at("Profile.sample[\(i)].location_id") { try reader.varints(of: field, into: &locationIDs) }
                case 2: try at("Profile.sample[\(i)].value") { try reader.varints(of: field, into: &values) }
                case 3: try readLabel(field, keys: keyIDs, into: &labels, path: "Profile.sample[\(i)].label")
                default: break
                }
            }
            let value = try sampleValue(values, index: valueIndex, path: "Profile.sample[\(i)].value")
            let (sum, overflow) = total.addingReportingOverflow(value)
            guard !overflow else { throw fail("Profile.sample[\(i)].value", "total value overflows a 64-bit integer") }
            total = sum
            let stackID: Int
            if let packed = packedIDs, let known = stackByPackedIDs[bytes[packed]] {
                stackID = known
            } else {
                try resolveStack(locationIDs, into: &stack, path: "Profile.sample[\(i)].location_id")
                stackID = profile.intern(stack: stack)
                if let packed = packedIDs { stackByPackedIDs[bytes[packed]] = stackID }
            }
            profile.add(stackID: stackID, value: value, labels: labels)
        }
    }

    private func sampleValue(_ values: [UInt64], index: Int, path: @autoclosure () -> String) throws -> Int64 {
        guard values.count == sampleTypeRanges.count else {
            throw fail(path(), "has \(values.count) values but sample_type has \(sampleTypeRanges.count)")
        }
        let value = Int64(bitPattern: values[index])
        guard value >= 0 else { throw fail(path(), "negative value \(value)") }
        guard cpuNanosecondsPerSample > 1 else { return value }
        return (value + cpuNanosecondsPerSample / 2) / cpuNanosecondsPerSample
    }

    /// Leaf-first location ids to a root-first stack of frame indices.
    private func resolveStack(_ ids: [UInt64], into stack: inout [Int32], path: @autoclosure () -> String) throws {
        stack.removeAll(keepingCapacity: true)
        for id in ids.reversed() {
            let index: Int
            if denseLocationIDs, id >= 1, id <= UInt64(locationFrames.count) {
                index = Int(id - 1)
            } else if let found = locationIndexByID[id] {
                index = found
            } else {
                throw fail(path(), "unknown location id \(id)")
            }
            stack.append(contentsOf: locationFrames[index])
        }
    }

    private func readLabel(_ field: ProtobufReader.Field, keys: LabelKeyIDs, into labels: inout SampleLabels,
                           path: @autoclosure () -> String) throws {
        let range = try at(path()) { try ProtobufReader.payload(field) }
        var reader = ProtobufReader(bytes, range: range)
        var key: UInt64 = 0, str: UInt64 = 0, num: Int64 = 0
        while !reader.isAtEnd {
            let inner = try at(path()) { try reader.readField() }
            switch inner.number {
            case 1: key = try at(path() + ".key") { try ProtobufReader.scalar(inner) }
            case 2: str = try at(path() + ".str") { try ProtobufReader.scalar(inner) }
            case 3: num = Int64(bitPattern: try at(path() + ".num") { try ProtobufReader.scalar(inner) })
            default: break
            }
        }
        switch key {
        case keys.trace:
            let text = try string(str, path() + ".str")
            guard let id = TraceID(hex: text) else { throw fail(path() + ".str", "trace_id \"\(text.prefix(40))\" is not 32 hex digits") }
            labels.traceID = id
        case keys.span:
            let text = try string(str, path() + ".str")
            guard let id = SpanID(hex: text) else { throw fail(path() + ".str", "span_id \"\(text.prefix(40))\" is not 16 hex digits") }
            labels.spanID = id
        case keys.pid: labels.pid = Int32(truncatingIfNeeded: num)
        case keys.tid: labels.tid = Int32(truncatingIfNeeded: num)
        case keys.timestamp: labels.timestampNs = UInt64(bitPattern: num)
        default: _ = try string(key, path() + ".key")  // other labels are kept out of the model
        }
    }
}
