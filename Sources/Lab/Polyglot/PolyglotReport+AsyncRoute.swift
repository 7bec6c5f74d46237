import Foundation
import LabRuntime

extension PolyglotReport {
    /// The async route's table: who names `quote` and the handler as callers of `/quote`'s hot function.
    static func asyncRoute(_ run: PolyglotAsyncMeasurement.Run, _ report: inout MarkdownReport) {
        report.heading("Async route: /quote, two awaits below the handler")
        report.paragraph("`GET /quote` runs `ShopRoutes.quoteRoute -> await AsyncPricing.quote -> await AsyncPricing.applyRules -> ruleKernel` "
                         + "on Swift's concurrency executor (\(run.requests) requests over the \(Int(run.seconds)) s window, every profiler at once, CPU at the same rate). "
                         + "Only `applyRules`'s running funclet is on the machine stack; `quote` and the handler live in async contexts on the heap, "
                         + "which the agent's Swift async walker reads at sample time (`--swift-async`, the default).")
        report.table(header: ["configuration", "hot samples (ruleKernel)", "quote -> applyRules named", "handler named too", "command"],
                     rows: run.rows.map { row in
                         guard row.error == nil else { return [row.setup, "failed: \(row.error!)", "", "", "`\(row.command)`"] }
                         return [row.setup, "\(row.hotSamples)", share(row.withQuote, of: row.hotSamples), share(row.withHandler, of: row.hotSamples), "`\(row.command)`"]
                     })
        let examples = run.rows.compactMap { row in row.example.map { "\(row.setup): `\($0)`" } }
        if !examples.isEmpty { report.bullets(examples) }
    }
}
