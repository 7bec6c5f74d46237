import ProfileModel

/// One ELF file as mapped by some process, loaded at most once per (device, inode, path).
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
    let image: ElfImage?
    /// Why the file could not be read, when `image` is nil.
    let loadError: FlamelabError?

    init(id: Int, key: Key, openablePath: String) {
        self.id = id
        self.key = key
        self.name = FrameClassifier.basename(key.path)
        do {
            self.image = try ElfImage.loadWithDebugSymbols(path: openablePath)
            self.loadError = nil
        } catch let error as FlamelabError {
            self.image = nil
            self.loadError = error
        } catch {
            self.image = nil
            self.loadError = FlamelabError.failed("read", "ELF \(key.path)", "\(error)")
        }
    }
}
