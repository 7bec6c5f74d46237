import Foundation

/// Checks made before touching BPF, so that each common failure gets its own clear message.
enum Preflight {
    static func check(_ config: AgentConfig) throws {
        guard geteuid() == 0 else {
            throw AgentError("failed to start the agent: loading BPF programs needs root (running as uid \(geteuid())); run it with sudo")
        }
        guard FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") else {
            throw AgentError("failed to start the agent: the kernel has no BTF (/sys/kernel/btf/vmlinux is missing); flamelab needs a kernel built with CONFIG_DEBUG_INFO_BTF=y")
        }
        if case .pids(let pids) = config.targets {
            for pid in pids where !isAlive(pid) {
                throw AgentError("failed to find process \(pid): no such process")
            }
        }
    }

    /// True while `pid` exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // The state follows the command name's closing parenthesis.
        guard let close = stat.lastIndex(of: ")") else { return false }
        let rest = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces)
        return !(rest.hasPrefix("Z") || rest.hasPrefix("X"))
    }
}
