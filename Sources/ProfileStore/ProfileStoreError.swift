import Foundation

/// An error from the profile store. Its description is one line: `failed to <verb> <thing>: <reason>`.
public struct ProfileStoreError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The whole message, ready for a person.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    public var errorDescription: String? { message }

    static func open(_ path: String, _ reason: String) -> ProfileStoreError {
        ProfileStoreError("failed to open profile store \(path): \(reason)")
    }

    static func write(_ path: String, _ reason: String) -> ProfileStoreError {
        ProfileStoreError("failed to write profile to store \(path): \(reason)")
    }

    static func read(_ path: String, _ reason: String) -> ProfileStoreError {
        ProfileStoreError("failed to read profile store \(path): \(reason)")
    }
}
