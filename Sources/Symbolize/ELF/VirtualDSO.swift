import CElfDwarf
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's vDSO (`[vdso]` in maps: clock_gettime, gettimeofday...). Every process on one kernel
/// maps the same image, so this process's copy names and unwinds the vDSO frames of all of them.
public struct VirtualDSO: Sendable {
    /// The image's bytes, copied out of this process.
    public let bytes: [UInt8]
    public let image: ElfImage

    /// Copies and parses this process's vDSO; nil when it has none or it cannot be parsed.
    public static func current() -> VirtualDSO? {
        guard let maps = try? ProcessMaps.read(pid: getpid()),
              let mapping = maps.mappings.first(where: { $0.path == "[vdso]" }),
              let start = UnsafeRawPointer(bitPattern: UInt(mapping.start)) else { return nil }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: Int(mapping.end - mapping.start)))
        guard let image = try? ElfImage.load(bytes: bytes, name: "[vdso]") else { return nil }
        return VirtualDSO(bytes: bytes, image: image)
    }

    /// Load bias of the vDSO mapped at `mappingStart` in some process.
    public func loadBias(mappingStart: UInt64) -> UInt64? {
        image.loadBias(mappingStart: mappingStart, fileOffset: 0)
    }
}
