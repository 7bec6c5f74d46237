import Foundation

/// A single self-overwriting status line on stderr for long runs; plain lines when stderr is not a TTY.
/// `@unchecked Sendable`: its one mutable field is behind `lock`.
public final class ProgressLine: @unchecked Sendable {
    private let isTTY = isatty(STDERR_FILENO) == 1
    private var lastPlain = Date.distantPast
    private let lock = NSLock()

    public init() {}

    /// Shows `text`. Without a TTY, at most one line every 5 s so logs stay readable.
    public func update(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if isTTY {
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
        } else if Date().timeIntervalSince(lastPlain) >= 5 {
            lastPlain = Date()
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    /// Ends the line.
    public func finish(_ text: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        let final = text.map { "\($0)\n" } ?? ""
        FileHandle.standardError.write(Data(((isTTY ? "\r\u{1B}[2K" : "") + final).utf8))
    }
}
