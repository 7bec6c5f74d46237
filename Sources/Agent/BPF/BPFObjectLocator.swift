import ProfileModel
import Foundation

/// Finds the compiled BPF objects (`bpf/.output/<name>.bpf.o`, built by `make -C bpf`).
enum BPFObjectLocator {
    /// Search order: `explicitDirectory`, $FLAMELAB_BPF_DIR, then `bpf/.output` in the current
    /// directory and its parents, then in the executable's directory and its parents.
    static func locate(_ name: String, explicitDirectory: String?) throws -> String {
        let file = "\(name).bpf.o"
        var candidates: [String] = []
        if let dir = explicitDirectory { candidates.append(dir) }
        if let dir = ProcessInfo.processInfo.environment["FLAMELAB_BPF_DIR"], !dir.isEmpty { candidates.append(dir) }
        candidates += ancestors(of: FileManager.default.currentDirectoryPath).map { $0 + "/bpf/.output" }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates += ancestors(of: (exe as NSString).deletingLastPathComponent).map { $0 + "/bpf/.output" }
        }
        for dir in candidates where FileManager.default.isReadableFile(atPath: dir + "/" + file) {
            return dir + "/" + file
        }
        throw FlamelabError(
            "failed to find BPF object \(file): not in FLAMELAB_BPF_DIR nor in bpf/.output above the current or the executable's directory (run `make -C bpf`)"
        )
    }

    private static func ancestors(of path: String) -> [String] {
        var result: [String] = []
        var current = URL(fileURLWithPath: path).standardizedFileURL.path
        while true {
            result.append(current == "/" ? "" : current)
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current || parent.isEmpty { break }
            current = parent
        }
        return result
    }
}
