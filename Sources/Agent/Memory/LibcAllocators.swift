import Foundation
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
            found[function] = try UprobeFunction.resolve(binaryPath: path, symbol: function.rawValue).map(Self.pastArgumentTest)
        }
        guard found[.malloc] != nil else {
            throw FlamelabError("failed to find the allocator of pid \(pid): \(path) defines no malloc function symbol (looked for \(names))")
        }
        return LibcAllocators(libcPath: path, functions: found)
    }

    /// The probe point moved past a leading `test %rdi,%rdi` that a conditional jump follows (glibc's
    /// `free` starts so). x86 uprobes emulate `push` and jumps but single-step `test` out of line: a second
    /// trap, which made a probed free cost ~9 µs instead of ~0.8 here (docs/research/memory-profiling.md).
    /// `test` changes only the flags, so the argument in rdi is the same at the jump.
    static func pastArgumentTest(_ function: UprobeFunction) -> UprobeFunction {
        guard let handle = FileHandle(forReadingAtPath: function.binaryPath) else { return function }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: function.fileOffset)) != nil, let bytes = try? handle.read(upToCount: 5), bytes.count == 5
        else { return function }
        let code = [UInt8](bytes)
        let testsRDI = code[0] == 0x48 && code[1] == 0x85 && code[2] == 0xff
        let jumps = code[3] == 0x74 || code[3] == 0x75 || (code[3] == 0x0f && (code[4] == 0x84 || code[4] == 0x85))
        guard testsRDI && jumps else { return function }
        var moved = function
        moved.fileOffset += 3
        moved.virtualAddress += 3
        return moved
    }

    /// glibc's `libc.so.6` (or an older `libc-2.31.so`), musl's `libc.so`; not libc-adjacent libraries.
    static func isLibc(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasPrefix("libc.so") || (name.hasPrefix("libc-") && name.hasSuffix(".so"))
    }
}
