import ProfileModel
import CPythonProbe

extension PythonProcessInfo {
    /// Looks for a CPython interpreter in `pid`: a mapped libpython*.so, else the executable itself, that
    /// defines `_PyRuntime`. Final releases of 3.11, 3.12 and 3.13 are supported: 3.11 and 3.12 with the
    /// offsets generated from their headers at build time (CPython keeps these structs within a minor
    /// release), 3.13 with the interpreter's own `_Py_DebugOffsets`. Anything else (other minors,
    /// pre-releases, free-threaded builds, unreadable debug offsets) is refused with a message: native
    /// frames only, never names read with the wrong offsets.
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
        let refuse = { (reason: String) in
            PythonDetection.unsupported(
                version: versionText,
                message: "unsupported Python version \(versionText) in pid \(pid) (\(path)): native frames only "
                    + "(\(reason); flamelab reads CPython \(PythonVersion.supportedRange) final releases)")
        }
        guard let found = version else { return refuse("no Py_Version") }
        guard found.major == 3, PythonLayout.supportedMinors.contains(found.minor),
              let base = PythonLayout.buildTime(minor: found.minor) else { return refuse("no offsets for \(found.major).\(found.minor)") }
        // Pre-releases may still move fields; only the very build of the headers is trusted then.
        guard found.sharesLayout(with: PythonVersion(hex: base.versionHex)) else { return refuse("a pre-release") }
        let runtime = runtimeSymbol &+ bias
        let layout: PythonLayout
        let source: String
        if let index = PythonDebugOffsets.index(minor: found.minor) {
            do {
                (layout, source) = try debugLayout(reader: reader, runtime: runtime, index: index, version: found, base: base)
            } catch {
                return refuse("\(error)")
            }
        } else {
            layout = base
            source = "CPython \(PythonVersion(hex: base.versionHex)) headers (build time)"
        }
        let typeAddress = { (name: String) throws -> UInt64 in
            try elfSymbol(name, in: path).map { $0 &+ bias } ?? 0
        }
        return .supported(PythonProcessInfo(
            pid: pid, interpreterPath: path, version: found, loadBias: bias, runtimeAddress: runtime,
            codeTypeAddress: try typeAddress("PyCode_Type"), unicodeTypeAddress: try typeAddress("PyUnicode_Type"),
            bytesTypeAddress: try typeAddress("PyBytes_Type"), layout: layout, layoutSource: source))
    }

    /// The layout of a 3.13+ interpreter from its own `_Py_DebugOffsets`, checked against what the process
    /// says it is: the cookie, the same PY_VERSION_HEX as `Py_Version`, and the default (GIL) build.
    private static func debugLayout(reader: PythonMemoryReader, runtime: UInt64, index: flamelab_py_debug_index,
                                    version: PythonVersion, base: PythonLayout) throws -> (PythonLayout, String) {
        let offsets = try PythonDebugOffsets.read(reader: reader, runtime: runtime, index: index)
        guard offsets.version == version else {
            throw FlamelabError.failed("validate", "_Py_DebugOffsets", "version \(offsets.version) is not Py_Version \(version)")
        }
        guard !offsets.freeThreaded else {
            throw FlamelabError.failed("validate", "_Py_DebugOffsets", "a free-threaded build (other object headers)")
        }
        let layout = try offsets.applied(to: base)
        return (layout, "_Py_DebugOffsets of CPython \(version) (build-time \(PythonVersion(hex: base.versionHex)) headers for: "
                    + PythonDebugOffsets.fallbackFields.joined(separator: ", ") + ")")
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
