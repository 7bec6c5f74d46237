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

    /// `key=value,key=value` (service, version, kind, pid, host, trace, from, to): a diff side as
    /// written on the command line, over no range.
    public static func parse(_ text: String) throws -> StoreSelection {
        try StoreSelection().overridden(by: text)
    }

    /// This selection with the keys `text` gives changed and the others kept: a diff side over the
    /// page's or the command line's range and labels. `from`/`to` give a side its own range (read by
    /// `timePoint`; Unix seconds by default), so that two sides may be two time ranges.
    public func overridden(by text: String, timePoint: (String) -> UInt64? = StoreSelection.unixSeconds) throws -> StoreSelection {
        var selection = self
        var traces: [TraceID] = []
        func problem(_ reason: String) -> FlamelabError { FlamelabError.failed("parse", "selection '\(text)'", reason, code: .input) }
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw problem("want key=value pairs such as version=v2,kind=cpu") }
            switch parts[0] {
            case "service": selection.service = parts[1]
            case "version": selection.version = parts[1]
            case "host": selection.host = parts[1]
            case "kind":
                guard let kind = ProfileKind(rawValue: parts[1]) else {
                    throw problem("kind must be one of \(ProfileKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                selection.kind = kind
            case "pid":
                guard let pid = Int32(parts[1]), pid > 0 else { throw problem("pid must be a process id") }
                selection.pid = pid
            case "trace":
                guard let id = TraceID(hex: parts[1]) else { throw problem("trace must be 32 hex digits") }
                traces.append(id)
            case "from", "to":
                guard let ns = timePoint(parts[1]) else { throw problem("\(parts[0]) must be a time such as 2026-12-01T21:00:00Z or Unix seconds") }
                if parts[0] == "from" { selection.fromUnixNs = ns } else { selection.toUnixNs = ns }
            default:
                throw problem("unknown key '\(parts[0])' (service, version, kind, pid, host, trace, from, to)")
            }
        }
        if !traces.isEmpty { selection.traceIDs = traces }
        return selection
    }

    /// Unix seconds as nanoseconds (the default reader of `from`/`to`).
    public static func unixSeconds(_ text: String) -> UInt64? {
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { return nil }
        return Nanoseconds.saturating(seconds: seconds)
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
