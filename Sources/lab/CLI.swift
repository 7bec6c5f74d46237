import ArgumentParser
import Foundation
import Lab

/// Shared CLI plumbing: turn LabErrors into one clear line on stderr and exit status 1.
enum CLI {
    static func orExit<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as LabError {
            FileHandle.standardError.write(Data("lab: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Parses a duration option such as `30s`; a ValidationError names the option.
    static func seconds(_ text: String, option: String) throws -> Double {
        guard let value = DurationParser.seconds(text) else {
            throw ValidationError("\(option) must be a duration like 500ms, 30s, 5m; got '\(text)'")
        }
        return value
    }
}
