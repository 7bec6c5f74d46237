import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `lab serve`'s profiles: the store a running `lab agent` writes. The server loads no BPF; it reads
/// (WAL readers never wait for the writer) and says when no agent is writing.
public final class StoreProfiles: Sendable {
    public let storePath: String
    /// How long the agent's windows are (the "wait for the window" messages use it).
    public let windowSeconds: Double
    private let store: ProfileStore

    /// Opens (or creates, empty) the store at `storePath`; a foreign or corrupt file is refused.
    public init(storePath: String, windowSeconds: Double) throws {
        self.storePath = storePath
        self.windowSeconds = windowSeconds
        store = try ProfileStore(path: storePath)
    }

    /// The pid of the agent writing to the store, nil when none is.
    public var agentPID: Int32? { StoreLock.holder(storePath: storePath) }

    /// What the store holds in `range` (service, version and kind rows, newest first).
    public func summaries(service: String?, range: ClosedRange<UInt64>?) throws -> [WindowSummary] {
        try store.summaries(filter: RunFilter(service: service, overlappingUnixNs: range))
    }

    /// The most samples one page reads (~1 h of a busy service at 99 Hz on 2 CPUs, several times
    /// over): a wider selection is refused with its count instead of decoding the store into memory.
    public static let sampleLimit: Int64 = 5_000_000

    /// The samples of `selection`, merged; an input error when it holds more than `sampleLimit`
    /// (a trace search is never refused).
    public func profile(_ selection: StoreSelection) throws -> Profile {
        let query = try selection.query()
        // A trace search reads only the windows that hold the traces (their id lists are checked
        // first): the range's size does not matter.
        guard selection.traceIDs.isEmpty else { return try store.profile(query: query) }
        let stored = try store.summaries(filter: query.runs).reduce(Int64(0)) { $0 + $1.samples }
        guard stored <= Self.sampleLimit else {
            throw FlamelabError.failed("read", "profiles of \(selection.summary)",
                                       "the selection holds \(stored) samples, more than a page reads (\(Self.sampleLimit)); pick a shorter range or one version",
                                       code: .input)
        }
        return try store.profile(query: query)
    }

    /// A sentence for pages when nothing writes to the store.
    public var noAgentHint: String {
        "No lab agent writes to \(storePath): start one with `sudo lab agent --service --store \(storePath)`, "
            + "or run `lab serve --with-agent`."
    }
}
