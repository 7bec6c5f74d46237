/// A CPython version as `PY_VERSION_HEX` encodes it (0xMMmmppLS: major, minor, micro, level, serial).
public struct PythonVersion: Hashable, Sendable, CustomStringConvertible {
    /// The raw `PY_VERSION_HEX` / `Py_Version` value.
    public let hex: UInt32

    public init(hex: UInt32) {
        self.hex = hex
    }

    public var major: Int { Int((hex >> 24) & 0xff) }
    public var minor: Int { Int((hex >> 16) & 0xff) }
    public var micro: Int { Int((hex >> 8) & 0xff) }

    /// `3.11.2`, with `a1`/`b2`/`rc1` appended for pre-releases.
    public var description: String {
        let level = (hex >> 4) & 0xf
        let serial = hex & 0xf
        let suffix: String
        switch level {
        case 0xa: suffix = "a\(serial)"
        case 0xb: suffix = "b\(serial)"
        case 0xc: suffix = "rc\(serial)"
        default: suffix = ""
        }
        return "\(major).\(minor).\(micro)\(suffix)"
    }

    /// Whether an interpreter of this version lays out its frames, thread states and code objects as
    /// one of `other`: the same major and minor release, both final (or the very same build). CPython
    /// keeps those structs within a minor release; pre-releases may still move them.
    public func sharesLayout(with other: PythonVersion) -> Bool {
        if self == other { return true }
        let final: UInt32 = 0xf
        return major == other.major && minor == other.minor && (hex >> 4) & 0xf == final && (other.hex >> 4) & 0xf == final
    }

    /// Whether this is a final release (not an alpha, beta or release candidate).
    public var isFinal: Bool { (hex >> 4) & 0xf == 0xf }

    /// The versions of the CPython headers flamelab was built against, one per supported minor version
    /// (the tables of bpf/gen_python_layout.c): 3.11, 3.12 and 3.13.
    public static var builtTables: [PythonVersion] {
        PythonLayout.supportedMinors.compactMap { PythonLayout.buildTime(minor: $0).map { PythonVersion(hex: $0.versionHex) } }
    }

    /// "3.11–3.13": the minor versions whose frames flamelab reads, for messages.
    public static var supportedRange: String {
        "\(3).\(PythonLayout.supportedMinors.lowerBound)–3.\(PythonLayout.supportedMinors.upperBound)"
    }
}
