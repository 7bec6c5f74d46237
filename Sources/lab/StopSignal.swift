import Foundation

/// The write end of the pipe the handlers write to: write(2) is async-signal-safe, and the watcher
/// thread sleeps in read(2) instead of polling a flag (a 20 Hz poll cost the agent ~0.3 ms of CPU a second).
/// `nonisolated(unsafe)`: written once before the handlers are installed; a signal handler can take no lock.
nonisolated(unsafe) private var stopPipeWriteEnd: Int32 = -1

/// Ctrl-C / SIGTERM for `lab record` and `lab agent`: stop sampling, then still detach and write
/// the profile; SIGHUP (`lab agent`): say how it is going, and go on; SIGUSR1 (`lab agent`): write
/// the open window now.
///
/// A plain sigaction handler, not a DispatchSource: on Linux libdispatch reads signals through
/// signalfd, which sees a signal only while it is blocked in every thread; with SIG_IGN (as a
/// background job started by a script inherits it) the kernel drops the signal and the recording
/// never stopped.
enum StopSignal {
    static func install(onHangUp: (@Sendable () -> Void)? = nil, onFlush: (@Sendable () -> Void)? = nil, _ onStop: @escaping @Sendable () -> Void) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            FileHandle.standardError.write(Data("lab: failed to create the stop pipe: \(String(cString: strerror(errno))); Ctrl-C will end without writing\n".utf8))
            return
        }
        // Not inherited by anything the recording starts.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        stopPipeWriteEnd = ends[1]
        // A parent may hand its blocked-signal mask on (Foundation's Process does): with SIGTERM blocked
        // in every thread it stays pending for ever, and `kill` never stops the agent. Unblock here, in
        // the calling thread, which the kernel can then deliver to.
        var handled = sigset_t()
        sigemptyset(&handled)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGUSR1] { sigaddset(&handled, number) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in
                var byte: UInt8 = 1
                _ = write(stopPipeWriteEnd, &byte, 1)
            }
        }
        if onHangUp != nil {
            signal(SIGHUP) { _ in
                var byte: UInt8 = 2
                _ = write(stopPipeWriteEnd, &byte, 1)
            }
        }
        if onFlush != nil {
            signal(SIGUSR1) { _ in
                var byte: UInt8 = 3
                _ = write(stopPipeWriteEnd, &byte, 1)
            }
        }
        let readEnd = ends[0]
        let watcher = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n == 1 && byte == 2 {
                    onHangUp?()
                    continue
                }
                if n == 1 && byte == 3 {
                    onFlush?()
                    continue
                }
                break
            }
            onStop()
        }
        watcher.name = "flamelab-stop-signal"
        watcher.start()
    }
}
