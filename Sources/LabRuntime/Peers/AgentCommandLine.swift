import ProfileModel

/// The `lab record` command line the lab runs flamelab's agent with when the agent is measured as
/// its own process, as it is deployed: the one place it is spelled.
public enum AgentCommandLine {
    /// Arguments (after the `lab` executable) that record `pid` until SIGINT, with trace correlation
    /// and the Python walker as the lab profiles the service; `extra` adds output options.
    public static func record(pid: Int32, hz: Int, kinds: [ProfileKind] = [.cpu], unwind: UnwindMode, python: PythonMode = .auto,
                              extra: [String] = []) -> [String] {
        ["record", "--pid", "\(pid)", "--hz", "\(hz)", "--kind", kinds.map(\.rawValue).joined(separator: ","),
         "--unwind", unwind.rawValue, "--python", python.rawValue] + extra
    }

    /// The same as a reader would type it.
    public static func commandLine(pid: Int32, hz: Int, kinds: [ProfileKind] = [.cpu], unwind: UnwindMode, python: PythonMode = .auto) -> String {
        (["lab"] + record(pid: pid, hz: hz, kinds: kinds, unwind: unwind, python: python)).joined(separator: " ")
    }
}
