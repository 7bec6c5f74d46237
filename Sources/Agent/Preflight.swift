import ProfileModel
import Foundation
import Symbolize

/// Checks made before touching BPF, so that each common failure gets its own clear message.
enum Preflight {
    static func check(_ config: AgentConfig) throws {
        guard geteuid() == 0 else {
            throw FlamelabError("failed to start the agent: loading BPF programs needs root (running as uid \(geteuid())); run it with sudo")
        }
        guard FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") else {
            throw FlamelabError("failed to start the agent: the kernel has no BTF (/sys/kernel/btf/vmlinux is missing); flamelab needs a kernel built with CONFIG_DEBUG_INFO_BTF=y")
        }
        if case .pids(let pids) = config.targets {
            for pid in pids where !ProcessStatus.isAlive(pid) {
                throw FlamelabError("failed to find process \(pid): no such process")
            }
        }
    }
}
