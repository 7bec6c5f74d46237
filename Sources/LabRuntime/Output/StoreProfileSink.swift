import Agent
import Foundation
import ProfileModel
import ProfileStore

/// Writes each recorded profile as a run of the profile store.
public struct StoreProfileSink: ProfileSink {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func write(_ profiles: [Profile], stats: AgentRunStats) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let store = try ProfileStore(path: path)
        for profile in profiles {
            let id = try store.write(profile)
            FileHandle.standardError.write(Data("stored run \(id) (\(profile.metadata.kind.rawValue), \(profile.samples.count) samples) in \(path)\n".utf8))
        }
    }
}
