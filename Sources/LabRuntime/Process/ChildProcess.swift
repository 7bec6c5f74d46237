import ProfileModel
import Foundation

/// A child process started with posix_spawn (default signal mask and dispositions) and reaped with
/// waitpid: the lab's one process launcher. Under Foundation's `Process` the peers inherited the lab's
/// signal state and never ended.
///
/// `@unchecked Sendable`: `exitStatus` is written once, by whichever thread reaps the child first.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public private(set) var exitStatus: Int32?

    /// Starts `executable` with `arguments`; stdout goes to `output` (created 0600), stderr to `errors`
    /// (or `output` too), stdin is `input` (a FIFO the lab writes commands to, opened read-write so that
    /// neither side blocks on open and the child never reads end-of-file) or /dev/null. `environment`
    /// adds to (or overrides) the lab's own.
    public init(_ executable: String, _ arguments: [String], output: String, errors: String? = nil, input: String? = nil,
                environment: [String: String] = [:]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_addopen(&actions, 0, input, O_RDWR, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let errors {
            posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // The lab blocks or ignores signals for its own Ctrl-C handling; a child inheriting that never
        // sees SIGCHLD from its workload (perf's `-- sleep`) nor SIGINT. Start it with defaults.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw FlamelabError("failed to start \(executable): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Whether it has exited (reaps it when it has).
    public var hasExited: Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else { return rc < 0 }
        // WIFEXITED/WEXITSTATUS are macros Swift does not import: low 7 bits = signal, next 8 = exit code.
        exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return true
    }

    /// Waits up to `seconds`; true when it exited.
    public func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !hasExited {
            if Date() >= deadline { return false }
            usleep(50_000)
        }
        return true
    }

    public func signal(_ number: Int32) {
        if !hasExited { kill(pid, number) }
    }
}
