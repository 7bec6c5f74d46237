import ArgumentParser
import Foundation
import LabRuntime
import ProfileModel

/// The one place the CLI turns an outcome into an exit status and a message:
/// 0 success; 1 a failure (something did not work, a check or the gate failed); 2 a usage or input
/// error (a bad flag or value, a missing or malformed file). Commands throw; `LabCommand.main` calls this.
enum CLI {
    /// Exit statuses.
    enum Status: Int32 {
        case success = 0
        case failure = 1
        case usage = 2
    }

    /// A command's own verdict that is not an error: a failed check or gate, with what to print.
    struct Verdict: Error {
        var status: Status
        var message: String?
    }

    /// Prints what `error` says and exits with its status.
    static func exit(with error: Error) -> Never {
        let (status, message) = outcome(of: error)
        if let message, !message.isEmpty {
            let stream = status == .success ? FileHandle.standardOutput : FileHandle.standardError
            stream.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
        }
        Foundation.exit(status.rawValue)
    }

    static func outcome(of error: Error) -> (Status, String?) {
        switch error {
        case let verdict as Verdict:
            return (verdict.status, verdict.message)
        case let failure as FlamelabError:
            return (failure.code == .input ? .usage : .failure, "lab: \(failure.description)")
        case let parse as ProfileParseError:
            return (.usage, "lab: \(parse.description)")
        case let exit as ExitCode:
            return (exit.rawValue == 0 ? .success : .failure, nil)
        default:
            // ArgumentParser's own: help and version (exit 0), parse and validation errors (usage).
            let code = LabCommand.exitCode(for: error)
            let message = LabCommand.fullMessage(for: error)
            if code == .success { return (.success, message) }
            if code == .validationFailure { return (.usage, message) }
            return (.failure, "lab: \(error)")
        }
    }
}
