import ProfileModel
import Symbolize

/// Where a process's libc allocator lives: the mapped libc file and each probed function's offset in it.
struct LibcAllocators {
    /// The libc file as mapped by the process.
    let libcPath: String
    let functions: [AllocatorFunction: UprobeFunction]

    /// Finds the libc mapped by `pid` and `functions` in it. Throws when the process maps no libc
    /// (a statically linked program has no shared allocator to probe) or when libc lacks `malloc`.
    static func resolve(pid: Int32, functions wanted: [AllocatorFunction]) throws -> LibcAllocators {
        let names = wanted.map(\.rawValue).joined(separator: ", ")
        let maps: ProcessMaps
        do {
            maps = try ProcessMaps.read(pid: pid)
        } catch {
            throw FlamelabError("failed to find the allocator of pid \(pid): \(error)")
        }
        guard let libc = maps.mappings.first(where: { $0.isFileBacked && isLibc($0.path) }) else {
            throw FlamelabError(
                "failed to find the allocator of pid \(pid): it maps no libc.so (statically linked?), so there is no shared \(names) to probe; memory profiles need a dynamically linked libc"
            )
        }
        let path = maps.openablePath(of: libc)
        var found: [AllocatorFunction: UprobeFunction] = [:]
        for function in wanted {
            found[function] = try UprobeFunction.resolve(binaryPath: path, symbol: function.rawValue)
        }
        guard found[.malloc] != nil else {
            throw FlamelabError("failed to find the allocator of pid \(pid): \(path) defines no malloc function symbol (looked for \(names))")
        }
        return LibcAllocators(libcPath: path, functions: found)
    }

    /// glibc's `libc.so.6` (or an older `libc-2.31.so`), musl's `libc.so`; not libc-adjacent libraries.
    static func isLibc(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasPrefix("libc.so") || (name.hasPrefix("libc-") && name.hasSuffix(".so"))
    }
}
