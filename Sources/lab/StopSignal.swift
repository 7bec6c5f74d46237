import Foundation

/// The write end of the pipe the handler writes to: write(2) is async-signal-safe, and the watcher
/// thread sleeps in read(2) instead of polling a flag (a 20 Hz poll cost the agent ~0.3 ms of CPU a second).
/// `nonisolated(unsafe)`: written once before the handlers are installed; a signal handler can take no lock.
nonisolated(unsafe) private var stopPipeWriteEnd: Int32 = -1

/// Ctrl-C / SIGTERM for `lab record`: stop sampling, then still detach and write the profile.
///
/// A plain sigaction handler, not a DispatchSource: on Linux libdispatch reads signals through
/// signalfd, which sees a signal only while it is blocked in every thread; with SIG_IGN (as a
/// background job started by a script inherits it) the kernel drops the signal and the recording
/// never stopped.
enum StopSignal {
    static func install(_ onStop: @escaping @Sendable () -> Void) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            FileHandle.standardError.write(Data("lab: failed to create the stop pipe: \(String(cString: strerror(errno))); Ctrl-C will end without writing\n".utf8))
            return
        }
        // Not inherited by anything the recording starts.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        stopPipeWriteEnd = ends[1]
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in
                var byte: UInt8 = 1
                _ = write(stopPipeWriteEnd, &byte, 1)
            }
        }
        let readEnd = ends[0]
        let watcher = Thread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
            onStop()
        }
        watcher.name = "flamelab-stop-signal"
        watcher.start()
    }
}
