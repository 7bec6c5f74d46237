import ArgumentParser
import LabRuntime
import ProfileModel

// Typed options: ArgumentParser rejects a bad value with its own message naming the option, and the
// commands receive the model's types (no strings checked by hand, no force unwraps).

extension UnwindMode: ExpressibleByArgument {}
extension PythonMode: ExpressibleByArgument {}
extension ProfileKind: ExpressibleByArgument {}
extension MemorySampleType: ExpressibleByArgument {}
extension GateKernelTime: ExpressibleByArgument {}

extension TraceID: ExpressibleByArgument {
    /// 32 hex digits.
    public init?(argument: String) { self.init(hex: argument) }
}

/// A duration such as `500ms`, `30s`, `5m`, `1h` (`DurationParser`).
struct Duration: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let seconds: Double
    let description: String

    init?(argument: String) {
        guard let seconds = DurationParser.seconds(argument), seconds >= 0 else { return nil }
        self.seconds = seconds
        description = argument
    }

    /// A default value: `Duration(seconds: 30)` shows as `30s`.
    init(seconds: Double) {
        self.seconds = seconds
        description = seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60))m"
            : seconds >= 1 ? (seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s") : "\(Int(seconds * 1000))ms"
    }

    var defaultValueDescription: String { description }
}

/// One or more profile kinds, comma-separated: `cpu`, `offcpu`, `cpu,offcpu`.
struct KindList: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let kinds: Set<ProfileKind>
    let description: String

    init?(argument: String) {
        let parsed = argument.split(separator: ",").map { ProfileKind(rawValue: String($0)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { return nil }
        kinds = Set(parsed.compactMap { $0 })
        description = argument
    }

    /// A default value.
    init(_ kinds: ProfileKind...) {
        self.kinds = Set(kinds)
        description = kinds.map(\.rawValue).joined(separator: ",")
    }

    var defaultValueDescription: String { description }
}

/// A percentage such as `15` or `15%`.
struct Percent: ExpressibleByArgument, Sendable {
    let fraction: Double

    init?(argument: String) {
        let text = argument.hasSuffix("%") ? String(argument.dropLast()) : argument
        guard let value = Double(text), value >= 0, value.isFinite else { return nil }
        fraction = value / 100
    }
}

/// Percentage points such as `2` or `2pts`.
struct PercentagePoints: ExpressibleByArgument, Sendable {
    let fraction: Double

    init?(argument: String) {
        let text = argument.hasSuffix("pts") ? String(argument.dropLast(3)).trimmingCharacters(in: .whitespaces) : argument
        guard let value = Double(text), value >= 0, value < 100 else { return nil }
        fraction = value / 100
    }
}

/// A size such as `1GiB`, `200MiB`, `500MB` or a plain byte count.
struct ByteSize: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let bytes: Int64
    let description: String

    init?(argument: String) {
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1)]
        let unit = units.first { argument.hasSuffix($0.0) }
        guard let number = Double(unit.map { String(argument.dropLast($0.0.count)) } ?? argument), number >= 0,
              let whole = Int64(exactly: (number * (unit?.1 ?? 1)).rounded(.down)) else { return nil }
        bytes = whole
        description = argument
    }

    init(bytes: Int64) {
        self.bytes = bytes
        description = bytes % (1 << 30) == 0 ? "\(bytes >> 30)GiB" : bytes % (1 << 20) == 0 ? "\(bytes >> 20)MiB" : "\(bytes)"
    }

    var defaultValueDescription: String { description }
}
