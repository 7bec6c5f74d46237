/// Says where and why profile.proto bytes are malformed, after swift-protobuf has rejected them.
///
/// swift-protobuf reports only the kind of failure (`BinaryDecodingError.truncated`, ...), not where
/// it is, while flamelab's parse errors name the field (`Profile.sample[3]: truncated varint`). So on
/// the failure path only, this walks the same bytes by the wire rules swift-protobuf applies and by
/// profile.proto's nesting. It decodes nothing: valid input never comes here.
struct PprofWireDiagnosis {
    /// A problem and the field path where it was found.
    struct Problem: Error {
        var path: String
        var reason: String
    }

    /// What a length-delimited field of a known number holds.
    private enum Content {
        case message(Shape)
        case packedVarints
        case utf8String
    }

    /// The messages of profile.proto that contain more than scalars; every other message is a leaf.
    private enum Shape {
        case profile, sample, location, leaf

        /// (name, content, indexed) of a field number; nil for scalars and unknown fields, whose
        /// payloads swift-protobuf skips unread.
        func field(_ number: Int) -> (String, Content, Bool)? {
            switch (self, number) {
            case (.profile, 1): ("sample_type", .message(.leaf), true)
            case (.profile, 2): ("sample", .message(.sample), true)
            case (.profile, 3): ("mapping", .message(.leaf), true)
            case (.profile, 4): ("location", .message(.location), true)
            case (.profile, 5): ("function", .message(.leaf), true)
            case (.profile, 6): ("string_table", .utf8String, true)
            case (.profile, 11): ("period_type", .message(.leaf), false)
            case (.profile, 13): ("comment", .packedVarints, false)
            case (.sample, 1): ("location_id", .packedVarints, false)
            case (.sample, 2): ("value", .packedVarints, false)
            case (.sample, 3): ("label", .message(.leaf), true)
            case (.location, 4): ("line", .message(.leaf), true)
            default: nil
            }
        }
    }

    private let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The first problem in the input, or nil when the walk finds none (then the caller falls back
    /// to swift-protobuf's own description).
    func firstProblem() -> Problem? {
        do {
            try check(0..<bytes.count, as: .profile, path: "Profile")
            return nil
        } catch {
            return error
        }
    }

    /// Checks a message's own fields first, then the payloads of its known length-delimited fields,
    /// so that a broken top level is reported before a broken sample inside it.
    private func check(_ range: Range<Int>, as shape: Shape, path: String) throws(Problem) {
        var cursor = PprofWireCursor(bytes: bytes, position: range.lowerBound, end: range.upperBound)
        var counts: [Int: Int] = [:]
        var nested: [(Range<Int>, Content, String)] = []
        var fieldCount = 0
        while !cursor.isAtEnd {
            fieldCount += 1
            let field: PprofWireCursor.Field
            do {
                field = try cursor.readField()
            } catch {
                // The top level has no message name to give, so the field's position stands in.
                throw Problem(path: shape == .profile ? "\(path) (field #\(fieldCount))" : path, reason: error.reason)
            }
            guard field.wireType == 2, let (name, content, indexed) = shape.field(field.number) else { continue }
            let index = counts[field.number, default: 0]
            counts[field.number] = index + 1
            nested.append((field.payload, content, path + "." + name + (indexed ? "[\(index)]" : "")))
        }
        for (payload, content, fieldPath) in nested { try check(payload, holding: content, path: fieldPath) }
    }

    private func check(_ payload: Range<Int>, holding content: Content, path: String) throws(Problem) {
        switch content {
        case .message(let shape):
            try check(payload, as: shape, path: path)
        case .packedVarints:
            var cursor = PprofWireCursor(bytes: bytes, position: payload.lowerBound, end: payload.upperBound)
            do {
                while !cursor.isAtEnd { _ = try cursor.readVarint() }
            } catch {
                throw Problem(path: path, reason: error.reason)
            }
        case .utf8String:
            // swift-protobuf, like proto3, refuses strings that are not UTF-8.
            guard String(validating: bytes[payload], as: UTF8.self) != nil else {
                throw Problem(path: path, reason: "invalid UTF-8")
            }
        }
    }
}
