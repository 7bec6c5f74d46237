import ArgumentParser
import LabRuntime
import ProfileModel

/// `--sample-type` for the commands that read memory profiles (flamegraph, diff, gate): which of a
/// memory profile's two values to show or test, as pprof tools choose `-sample_index`.
struct SampleTypeOption: ParsableArguments {
    @Option(name: .customLong("sample-type"),
            help: "Memory profiles: space (estimated bytes, the default) or objects (estimated allocations); pprof's names (alloc_space, inuse_objects, ...) are accepted too.")
    var text: String?

    func validate() throws {
        if let text, MemorySampleType(argument: text) == nil {
            throw ValidationError("--sample-type must be space, objects or a pprof name such as alloc_objects; got '\(text)'")
        }
    }

    /// `profile` (read from `source`) with the chosen value; unchanged when none was chosen.
    func apply(_ profile: Profile, source: String) throws -> Profile {
        guard let text, let type = MemorySampleType(argument: text) else { return profile }
        let kind = profile.metadata.kind
        guard kind.isMemory else {
            throw FlamelabError.failed("select", "sample type \(text) in \(source)",
                                       "it is a \(kind.rawValue) profile with one value; --sample-type applies to alloc and inuse profiles", code: .input)
        }
        if text.contains("_"), text != type.pprofName(kind) {
            throw FlamelabError.failed("select", "sample type \(text) in \(source)",
                                       "it is an \(kind.rawValue) profile: its types are \(kind.rawValue)_space and \(kind.rawValue)_objects", code: .input)
        }
        return profile.selectingSampleType(type)
    }
}
