import Foundation
import ProfileModel

/// A selection of the store's samples as people ask for them: a time range on the wall clock,
/// labels, trace ids, a process. It becomes a `ProfileQuery`; an impossible range is an input error.
public struct StoreSelection: Sendable, Equatable {
    public var fromUnixNs: UInt64?
    public var toUnixNs: UInt64?
    public var service: String?
    public var version: String?
    public var kind: ProfileKind = .cpu
    public var traceIDs: [TraceID] = []
    public var pid: Int32?
    public var host: String?

    public init(fromUnixNs: UInt64? = nil, toUnixNs: UInt64? = nil, service: String? = nil, version: String? = nil,
                kind: ProfileKind = .cpu, traceIDs: [TraceID] = [], pid: Int32? = nil, host: String? = nil) {
        self.fromUnixNs = fromUnixNs
        self.toUnixNs = toUnixNs
        self.service = service
        self.version = version
        self.kind = kind
        self.traceIDs = traceIDs
        self.pid = pid
        self.host = host
    }

    /// The last `seconds` before `nowUnixNs`.
    public static func last(_ seconds: Double, nowUnixNs: UInt64) -> StoreSelection {
        let range = Nanoseconds.last(seconds, endingAt: nowUnixNs)
        return StoreSelection(fromUnixNs: range.lowerBound, toUnixNs: range.upperBound)
    }

    /// The query, or an input error naming what is wrong with the range.
    public func query() throws -> ProfileQuery {
        if let from = fromUnixNs, let to = toUnixNs, from > to {
            throw FlamelabError.failed("select", "profiles", "the range starts after it ends (from \(Self.iso(from)) > to \(Self.iso(to)))", code: .input)
        }
        let range: ClosedRange<UInt64>? = fromUnixNs == nil && toUnixNs == nil ? nil : (fromUnixNs ?? 0)...(toUnixNs ?? .max)
        let runs = RunFilter(service: service, version: version, kind: kind, pid: pid, host: host, overlappingUnixNs: range)
        return ProfileQuery(runs: runs, traceIDs: traceIDs.isEmpty ? nil : traceIDs)
    }

    /// `key=value,key=value` (service, version, kind, pid, host, trace): a diff side as written on
    /// the command line; the time range comes from elsewhere.
    public static func parse(_ text: String) throws -> StoreSelection {
        var selection = StoreSelection()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw FlamelabError.failed("parse", "selection '\(text)'", "want key=value pairs such as version=v2,kind=cpu", code: .input)
            }
            switch parts[0] {
            case "service": selection.service = parts[1]
            case "version": selection.version = parts[1]
            case "host": selection.host = parts[1]
            case "kind":
                guard let kind = ProfileKind(rawValue: parts[1]) else { throw FlamelabError.failed("parse", "selection '\(text)'", "kind must be cpu or offcpu", code: .input) }
                selection.kind = kind
            case "pid":
                guard let pid = Int32(parts[1]), pid > 0 else { throw FlamelabError.failed("parse", "selection '\(text)'", "pid must be a process id", code: .input) }
                selection.pid = pid
            case "trace":
                guard let id = TraceID(hex: parts[1]) else { throw FlamelabError.failed("parse", "selection '\(text)'", "trace must be 32 hex digits", code: .input) }
                selection.traceIDs.append(id)
            default:
                throw FlamelabError.failed("parse", "selection '\(text)'", "unknown key '\(parts[0])' (service, version, kind, pid, host, trace)", code: .input)
            }
        }
        return selection
    }

    /// A short description for titles and messages.
    public var summary: String {
        var parts: [String] = [kind.rawValue]
        if let service { parts.append("service \(service)") }
        if let version { parts.append("version \(version)") }
        if let pid { parts.append("pid \(pid)") }
        if !traceIDs.isEmpty { parts.append("\(traceIDs.count) trace\(traceIDs.count == 1 ? "" : "s")") }
        if let from = fromUnixNs { parts.append("from \(Self.iso(from))") }
        if let to = toUnixNs { parts.append("to \(Self.iso(to))") }
        return parts.joined(separator: ", ")
    }

    static func iso(_ unixNs: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixNs) / 1e9))
    }
}
