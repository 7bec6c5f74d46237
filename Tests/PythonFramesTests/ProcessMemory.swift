import Foundation
import ProfileModel

/// Reads another process's memory through /proc/<pid>/mem (root, or the process's parent): the tests'
/// own way to look at an interpreter, independent of the code under test.
enum ProcessMemory {
    static func read(pid: Int32, address: UInt64, count: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(pid)/mem"))
        defer { try? handle.close() }
        try handle.seek(toOffset: address)
        let data = try handle.read(upToCount: count) ?? Data()
        guard data.count == count else {
            throw FlamelabError.failed("read", "\(count) bytes at 0x\(String(address, radix: 16)) of pid \(pid)", "got \(data.count)")
        }
        return [UInt8](data)
    }
}
