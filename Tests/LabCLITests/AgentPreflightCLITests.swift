import Foundation
import FlamelabTesting
import Testing

/// `lab record` where the agent cannot run: each gets its own clear message and a failing exit status,
/// before anything is attached. Real conditions, not flags: the agent runs as an unprivileged user
/// (setpriv), and on a kernel without BTF as far as it can tell (a private mount namespace hides
/// /sys/kernel/btf). Both need root to set up: skipped otherwise, failed under CI=true.
@Suite(.serialized) struct AgentPreflightCLITests {
    @Test(.requiresRoot) func withoutRootTheAgentSaysSo() throws {
        try TestEnvironment.requireRoot("runs the agent as another user")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-noroot-\(getpid()).folded").path
        let run = try LabCLITests.lab(["record", "--pid", "1", "--duration", "1s", "-o", output],
                                      under: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("failed to start the agent: loading BPF programs needs root (running as uid 65534)"), "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output), "no profile is written when nothing was recorded")
    }

    @Test(.requiresRoot) func aKernelWithoutBTFIsNamed() throws {
        try TestEnvironment.requireRoot("hides the kernel's BTF in a mount namespace")
        let script = "mount -t tmpfs flamelab-no-btf /sys/kernel/btf && exec \"$0\" \"$@\""
        let run = try LabCLITests.lab(["record", "--pid", "1", "--duration", "1s", "-o", "/tmp/flamelab-no-btf.folded"],
                                      under: ["/usr/bin/unshare", "--mount", "--", "/bin/sh", "-c", script])
        #expect(run.status != 0)
        #expect(run.stderr.contains("the kernel has no BTF (/sys/kernel/btf/vmlinux is missing)"), "stderr: \(run.stderr)")
    }
}
