import ProfileModel

/// A snapshot of /proc/PID/maps, sorted by address, with binary-search lookup.
public struct ProcessMaps: Sendable {
    public let pid: Int32
    public let mappings: [MemoryMapping]
    /// The process's executable (from /proc/PID/exe, else the first file-backed mapping).
    public let executablePath: String

    public init(pid: Int32, mappings: [MemoryMapping], executablePath: String) {
        self.pid = pid
        self.mappings = mappings.sorted { $0.start < $1.start }
        self.executablePath = executablePath
    }

    /// Reads the maps of a live process. Throws `failed to read /proc/PID/maps: <reason>`.
    public static func read(pid: Int32) throws -> ProcessMaps {
        guard pid > 0 else { throw FlamelabError.failed("read", "maps of pid \(pid)", "not a process id") }
        return parse(pid: pid, text: try ProcFile.read("/proc/\(pid)/maps"))
    }

    /// The maps of live process `pid` from `text`, its maps file's content.
    public static func parse(pid: Int32, text: String) -> ProcessMaps {
        let mappings = text.split(separator: "\n").compactMap { MemoryMapping(line: $0) }
        let firstFile = mappings.first { $0.isFileBacked }?.path ?? ""
        let executable = ProcFile.readLink("/proc/\(pid)/exe") ?? firstFile
        return ProcessMaps(pid: pid, mappings: mappings, executablePath: executable)
    }

    /// The maps' raw text as read now and its hash, without parsing it: equal hashes while nothing was
    /// mapped or unmapped (within this agent process; Swift seeds its hashes per process). Nil when
    /// unreadable. `parse` turns the text into maps when the hash has changed, without a second read.
    public static func fingerprint(pid: Int32) -> (hash: Int, text: [UInt8])? {
        guard pid > 0, let bytes = try? ProcFile.readBytes("/proc/\(pid)/maps") else { return nil }
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return (hasher.finalize(), bytes)
    }

    /// The mapping containing `address`, or nil.
    public func mapping(containing address: UInt64) -> MemoryMapping? {
        var low = 0
        var high = mappings.count
        while low < high {
            let middle = (low + high) / 2
            if mappings[middle].start <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0, mappings[low - 1].contains(address) else { return nil }
        return mappings[low - 1]
    }

    /// Where to open a mapping's file: the path itself, or /proc/PID/map_files/... when it was deleted.
    public func openablePath(of mapping: MemoryMapping) -> String {
        guard mapping.isDeleted else { return mapping.path }
        let range = String(mapping.start, radix: 16) + "-" + String(mapping.end, radix: 16)
        return "/proc/\(pid)/map_files/\(range)"
    }
}
