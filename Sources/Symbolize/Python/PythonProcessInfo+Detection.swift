import ProfileModel
import CPythonProbe

extension PythonProcessInfo {
    /// Looks for a CPython interpreter in `pid`: a mapped libpython*.so, else the executable itself, that
    /// defines `_PyRuntime`. Only the exact version of the headers flamelab was built with is supported:
    /// the BPF walker's offsets come from them, and CPython's internal structs change between versions.
    public static func inspect(pid: Int32) -> PythonDetection {
        let maps: ProcessMaps
        do {
            maps = try ProcessMaps.read(pid: pid)
        } catch {
            return .failed("failed to inspect pid \(pid) for Python: \(error)")
        }
        do {
            for path in candidateFiles(in: maps) {
                guard let runtime = try elfSymbol("_PyRuntime", in: path) else { continue }
                return try describe(pid: pid, maps: maps, path: path, runtimeSymbol: runtime)
            }
            return .notPython
        } catch {
            return .failed("failed to inspect pid \(pid) for Python: \(error)")
        }
    }

    /// libpython mappings first (embedded interpreters and shared builds), then the executable.
    static func candidateFiles(in maps: ProcessMaps) -> [String] {
        var seen = Set<String>()
        var files: [String] = []
        for mapping in maps.mappings where mapping.isFileBacked && isLibPython(mapping.path) {
            let path = maps.openablePath(of: mapping)
            if seen.insert(mapping.path).inserted { files.append(path) }
        }
        if !maps.executablePath.isEmpty, seen.insert(maps.executablePath).inserted {
            files.append(maps.executablePath)
        }
        return files
    }

    static func isLibPython(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasPrefix("libpython") && name.contains(".so")
    }

    /// Builds the answer for the interpreter found in `path`.
    private static func describe(pid: Int32, maps: ProcessMaps, path: String, runtimeSymbol: UInt64) throws -> PythonDetection {
        guard let bias = try loadBias(of: path, in: maps) else {
            return .failed("failed to inspect pid \(pid) for Python: no mapping of \(path) at a PT_LOAD offset")
        }
        let reader = PythonMemoryReader(pid: pid)
        // Py_Version (3.11+) is an unsigned long holding PY_VERSION_HEX; older ones only have a file name.
        let version = try elfSymbol("Py_Version", in: path).map { symbol in
            PythonVersion(hex: UInt32(truncatingIfNeeded: try reader.word(at: symbol &+ bias)))
        }
        let versionText = version?.description ?? versionFromFileName(path) ?? "unknown"
        let supported = PythonVersion.supported
        // Any final patch release of the built minor version: pyenv's 3.11.7 beside Debian's 3.11.2.
        guard let found = version, found.sharesLayout(with: supported) else {
            return .unsupported(
                version: versionText,
                message: "unsupported Python version \(versionText) in pid \(pid) (\(path)): native frames only "
                    + "(flamelab reads CPython \(supported.major).\(supported.minor) frames)")
        }
        let typeAddress = { (name: String) throws -> UInt64 in
            try elfSymbol(name, in: path).map { $0 &+ bias } ?? 0
        }
        return .supported(PythonProcessInfo(
            pid: pid, interpreterPath: path, version: found, loadBias: bias, runtimeAddress: runtimeSymbol &+ bias,
            codeTypeAddress: try typeAddress("PyCode_Type"), unicodeTypeAddress: try typeAddress("PyUnicode_Type"),
            bytesTypeAddress: try typeAddress("PyBytes_Type")))
    }

    /// The load bias of `path` from its first mapping (ET_EXEC files get 0).
    private static func loadBias(of path: String, in maps: ProcessMaps) throws -> UInt64? {
        let image = try ElfImage.load(path: path)
        for mapping in maps.mappings where maps.openablePath(of: mapping) == path {
            if let bias = image.loadBias(mappingStart: mapping.start, fileOffset: mapping.fileOffset) { return bias }
        }
        return nil
    }

    /// st_value of the defined symbol `name` in `path` (.dynsym, then .symtab), nil when absent.
    static func elfSymbol(_ name: String, in path: String) throws -> UInt64? {
        var value: UInt64 = 0
        var message = [CChar](repeating: 0, count: 256)
        switch flamelab_py_elf_symbol(path, name, &value, &message, message.count) {
        case 0: return value
        case 1: return nil
        default: throw FlamelabError(String(cString: message))
        }
    }

    /// `3.12` from `libpython3.12.so.1.0` or `python3.12`, for interpreters older than `Py_Version`.
    public static func versionFromFileName(_ path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let range = name.range(of: "python") else { return nil }
        let digits = name[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        let parts = digits.split(separator: ".").prefix(2)
        return parts.count == 2 ? parts.joined(separator: ".") : nil
    }
}
