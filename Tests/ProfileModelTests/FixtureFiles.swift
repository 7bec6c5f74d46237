import Foundation
import Testing

/// Stored expected files beside the tests. `FLAMELAB_UPDATE_FIXTURES=1` rewrites them from the
/// current output (review the diff before committing).
enum FixtureFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    static var updating: Bool { ProcessInfo.processInfo.environment["FLAMELAB_UPDATE_FIXTURES"] == "1" }

    /// Expects `actual` to equal the stored file `name`.
    static func expectMatches(_ actual: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if updating {
            try Data(actual).write(to: url(name))
            return
        }
        let expected = try bytes(name)
        #expect(actual == expected, "output differs from Fixtures/\(name) (FLAMELAB_UPDATE_FIXTURES=1 rewrites it)",
                sourceLocation: sourceLocation)
    }

    static func expectMatches(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectMatches(Array(actual.utf8), name, sourceLocation: sourceLocation)
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}
