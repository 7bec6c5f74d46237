/// Splits a profile by process: one profile per pid (samples without a pid together), each with
/// the source's metadata and only the frames and stacks its samples use.
public enum ProfileSplit {
    /// The parts, by pid ascending (nil last).
    public static func byPID(_ profile: Profile) -> [(pid: Int32?, profile: Profile)] {
        let parts = profile.partitioned { $0.labels.pid }
        return parts.map { (pid: $0.key, profile: $0.value) }
            .sorted { ($0.pid ?? .max, $0.pid == nil ? 1 : 0) < ($1.pid ?? .max, $1.pid == nil ? 1 : 0) }
    }
}
