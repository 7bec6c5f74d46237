import Foundation

/// The account that ran `sudo`: a root agent started through sudo hands its store to it.
public struct SudoUser: Sendable, Equatable {
    public let uid: UInt32
    public let gid: UInt32

    /// The sudo caller when this process runs as root through sudo (`SUDO_UID`, `SUDO_GID`), nil
    /// otherwise: as root proper, or as a plain user. Only these two numbers are read.
    public static func current() -> SudoUser? {
        guard geteuid() == 0 else { return nil }
        let environment = ProcessInfo.processInfo.environment
        guard let uid = environment["SUDO_UID"].flatMap(UInt32.init), let gid = environment["SUDO_GID"].flatMap(UInt32.init), uid != 0 else {
            return nil
        }
        return SudoUser(uid: uid, gid: gid)
    }
}
