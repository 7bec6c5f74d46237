#if canImport(Glibc)
import ProfileModel
import Glibc
#endif
import CPythonProbe

/// Reads another process's memory with process_vm_readv (one syscall per read, no ptrace stop).
struct PythonMemoryReader: Sendable {
    let pid: Int32

    /// Reads exactly `count` bytes at `address`. Throws `failed to read N bytes at 0x... of pid P: reason`.
    func bytes(at address: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let read = buffer.withUnsafeMutableBytes { flamelab_py_read_memory(pid, address, $0.baseAddress, count) }
        guard read == count else {
            let reason = read < 0 ? String(cString: strerror(errno)) : "short read (\(read) bytes)"
            throw FlamelabError.failed("read", "\(count) bytes at 0x\(String(address, radix: 16)) of pid \(pid)", reason)
        }
        return buffer
    }

    func word(at address: UInt64) throws -> UInt64 {
        PythonMemoryReader.load(UInt64.self, from: try bytes(at: address, count: 8), at: 0)
    }

    /// A little-endian integer of type `T` at `offset` of `bytes` (caller checks the bounds).
    static func load<T: FixedWidthInteger>(_ type: T.Type, from bytes: [UInt8], at offset: Int) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { target in
            for index in 0..<MemoryLayout<T>.size { target[index] = bytes[offset + index] }
        }
        return T(littleEndian: value)
    }
}
