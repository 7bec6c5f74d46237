import Foundation

/// The flag the handler sets: the only thing a signal handler may safely do.
private var stopSignalReceived: sig_atomic_t = 0

/// Ctrl-C / SIGTERM for `lab record`: stop sampling, then still detach and write the profile.
///
/// A plain sigaction handler, not a DispatchSource: on Linux libdispatch reads signals through
/// signalfd, which sees a signal only while it is blocked in every thread; with SIG_IGN (as a
/// background job started by a script inherits it) the kernel drops the signal and the recording
/// never stopped.
enum StopSignal {
    static func install(_ onStop: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in stopSignalReceived = 1 }
        }
        let watcher = Thread {
            while stopSignalReceived == 0 { usleep(50_000) }
            onStop()
        }
        watcher.name = "flamelab-stop-signal"
        watcher.start()
    }
}
