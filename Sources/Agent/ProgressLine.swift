import Foundation

/// The live `samples, drops, elapsed` line on stderr.
public enum ProgressOutput: Sendable {
    /// Only when stderr is a terminal.
    case automatic
    case always
    case never

    var enabled: Bool {
        switch self {
        case .automatic: return isatty(STDERR_FILENO) != 0
        case .always: return true
        case .never: return false
        }
    }
}

struct ProgressLine {
    let enabled: Bool
    private var printed = false

    init(output: ProgressOutput) {
        enabled = output.enabled
    }

    mutating func update(samples: Int, drops: UInt64, elapsed: Double, duration: Double?) {
        guard enabled else { return }
        let total = duration.map { String(format: " / %.0fs", $0) } ?? ""
        let line = String(format: "\rrecording: %d samples, %llu drops, %.1fs", samples, drops, elapsed) + total + "   "
        FileHandle.standardError.write(line.data(using: .utf8)!)
        printed = true
    }

    mutating func finish() {
        guard enabled, printed else { return }
        FileHandle.standardError.write("\n".data(using: .utf8)!)
        printed = false
    }
}
