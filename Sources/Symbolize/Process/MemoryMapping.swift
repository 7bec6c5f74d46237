/// One line of /proc/PID/maps.
public struct MemoryMapping: Sendable, Equatable {
    /// First address of the mapping.
    public var start: UInt64
    /// One past its last address.
    public var end: UInt64
    /// e.g. `r-xp`.
    public var permissions: String
    /// Offset in the backing file of `start`.
    public var fileOffset: UInt64
    /// `major:minor` of the backing file's device.
    public var device: String
    /// Inode of the backing file, 0 for anonymous memory.
    public var inode: UInt64
    /// Backing file, pseudo name (`[vdso]`, `[heap]`) or empty for anonymous memory.
    public var path: String

    public var isExecutable: Bool { permissions.contains("x") }
    /// Backed by a regular file (not anonymous memory nor a `[pseudo]` region).
    public var isFileBacked: Bool { inode != 0 && path.hasPrefix("/") }
    /// The file was replaced or removed after it was mapped.
    public var isDeleted: Bool { path.hasSuffix(" (deleted)") }

    /// Whether `address` lies in `start..<end`.
    public func contains(_ address: UInt64) -> Bool {
        address >= start && address < end
    }

    /// Parses one maps line; nil for a malformed line.
    public init?(line: Substring) {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5 else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2,
              let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
              let offset = UInt64(fields[2], radix: 16), let inode = UInt64(fields[4]) else { return nil }
        self.start = start
        self.end = end
        self.permissions = String(fields[1])
        self.fileOffset = offset
        self.device = String(fields[3])
        self.inode = inode
        self.path = fields.count > 5 ? String(fields[5].drop { $0 == " " }) : ""
    }
}
