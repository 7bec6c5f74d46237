import Foundation

/// Where the tests find the repository, the fixtures and the walker's BPF object.
enum TestPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let repository = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let walkerObject = repository.appendingPathComponent("bpf/.output/pywalk_test.bpf.o")
    static let debianPython = "/usr/bin/python3.11"

    /// The newest pyenv build of CPython 3.`minor` (`/root/.pyenv/versions/3.12.1/bin/python3.12`), nil when none.
    static func pyenvPython(minor: Int) -> String? {
        let versions = URL(fileURLWithPath: "/root/.pyenv/versions")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: versions.path)) ?? []
        let matching = names.filter { $0.hasPrefix("3.\(minor).") }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        return matching.last.map { versions.appendingPathComponent("\($0)/bin/python3.\(minor)").path }
    }
}

/// Facts of Fixtures/cpu_split.py the tests check against, line numbers found in the script's own text.
enum CPUSplitScript {
    static let hotA = "hot_a"
    static let hotB = "Küche.計算_b"
    /// co_firstlineno of hot_a: its `def` line.
    static let hotAFirstLine = line(of: "def hot_a():")
    /// The line of hot_a's `return spin(3 * UNIT)`, where its frame is while spin() runs.
    static let hotACallLine = line(of: "return spin(3 * UNIT)")
    /// co_firstlineno of 計算_b: a decorated function's code starts at its first decorator.
    static let hotBFirstLine = line(of: "def 計算_b(") - 1

    static let lines: [Substring] = {
        let text = (try? String(contentsOf: TestPaths.fixtures.appendingPathComponent("cpu_split.py"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }()

    /// 1-based number of the first line containing `text`, 0 when absent (the tests then fail).
    static func line(of text: String) -> Int {
        (lines.firstIndex { $0.contains(text) } ?? -1) + 1
    }
}
