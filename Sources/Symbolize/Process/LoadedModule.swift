#if canImport(Glibc)
import Glibc
#endif
import ProfileModel

/// One ELF file as mapped by some process, loaded at most once per (device, inode, path).
///
/// Only the headers are read when the module is first seen (load biases, build id): most modules a
/// process maps never appear in a sample (a Swift service maps Foundation, ICU and the regex runtime,
/// some 120k symbols), and their symbol tables were a third of the agent's memory. The symbols are read
/// when an address first falls in the module, through a descriptor opened at first sight, so a file
/// deleted or replaced since (a deploy) still gives the names of the code that ran.
final class LoadedModule {
    struct Key: Hashable {
        let device: String
        let inode: UInt64
        let path: String
    }

    /// Small integer identity for cheap cache keys.
    let id: Int
    let key: Key
    /// The basename shown in frames.
    let name: String
    /// Program headers and build id (no symbols); nil when the file could not be read.
    let headers: ElfImage?
    /// Why the file could not be read, when `headers` is nil or its symbols failed to load.
    private(set) var loadError: FlamelabError?
    private var descriptor: Int32
    private var openablePath: String
    private var symbolsRead = false
    private var symbolImage: ElfImage?

    init(id: Int, key: Key, openablePath: String) {
        self.id = id
        self.key = key
        self.name = FrameClassifier.basename(key.path)
        self.openablePath = openablePath
        self.descriptor = open(openablePath, O_RDONLY | O_CLOEXEC)
        do {
            self.headers = try ElfImage.load(path: Self.readablePath(descriptor: descriptor, openablePath: openablePath), symbols: false, name: key.path)
            self.loadError = nil
        } catch {
            self.headers = nil
            self.loadError = LoadedModule.failure(error, path: key.path)
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The file with its code symbols, read on first use; nil when it cannot be read, or when what is
    /// read is not the file first seen (another build id: never names from a different build).
    var image: ElfImage? {
        if !symbolsRead { readSymbols() }
        return symbolImage
    }

    /// The descriptor held since first sight when there is one (the file as it was), else the path.
    private static func readablePath(descriptor: Int32, openablePath: String) -> String {
        descriptor >= 0 ? "/proc/self/fd/\(descriptor)" : openablePath
    }

    private func readSymbols() {
        symbolsRead = true
        defer {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
        guard let headers else { return }
        do {
            let image = try ElfImage.loadWithDebugSymbols(path: Self.readablePath(descriptor: descriptor, openablePath: openablePath), name: key.path)
            guard image.buildID == headers.buildID else {
                loadError = FlamelabError.failed("read", "symbols of \(key.path)", "the file changed since it was mapped (build id \(image.buildID), was \(headers.buildID))")
                return
            }
            symbolImage = image
        } catch {
            loadError = LoadedModule.failure(error, path: key.path)
        }
    }

    private static func failure(_ error: Error, path: String) -> FlamelabError {
        (error as? FlamelabError) ?? FlamelabError.failed("read", "ELF \(path)", "\(error)")
    }
}
