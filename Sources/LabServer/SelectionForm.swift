import Foundation
import FlameGraph
import LabRuntime
import ProfileModel
import ProfileStore

/// The picker above every profile page: time range (presets or custom from/to), service, version,
/// kind and trace ids. A plain GET form: each choice is a URL people can share.
enum SelectionForm {
    static let style = "margin:8px 0;display:flex;flex-wrap:wrap;gap:8px;align-items:center"

    /// The flame graph's form for `selection`, its service and version choices from what the store holds.
    static func html(_ selection: PageSelection, summaries: [WindowSummary]) -> String {
        let ids = selection.traceIDs.map(\.hex).joined(separator: ",")
        return "<form id=\"selection\" method=\"get\" action=\"/flamegraph\" style=\"\(style)\">"
            + rangeFields(selection)
            + select("service", choices: uniqueSorted(summaries.compactMap(\.service)), chosen: selection.service, any: "any service")
            + select("version", choices: uniqueSorted(summaries.compactMap(\.version)), chosen: selection.version, any: "any version")
            + kindField(selection)
            + "<label>Trace ids <input id=\"trace-search\" name=\"trace_id\" size=\"34\" placeholder=\"32 hex digits, comma-separated\" value=\"\(ids)\"></label>"
            + "<button id=\"show\" type=\"submit\">Show</button></form>"
    }

    /// The range select (presets, custom) and the custom range's from/to inputs.
    static func rangeFields(_ selection: PageSelection) -> String {
        var html = "<label>Range <select id=\"range-last\" name=\"last\">"
        for preset in PageSelection.presets {
            html += "<option value=\"\(preset)\"\(selection.last == preset ? " selected" : "")>last \(preset)</option>"
        }
        if let last = selection.last, !PageSelection.presets.contains(last) {
            html += "<option value=\"\(MarkupEscape.xml(last))\" selected>last \(MarkupEscape.xml(last))</option>"
        }
        html += "<option value=\"\"\(selection.last == nil ? " selected" : "")>custom (from/to)</option></select></label>"
        let from = selection.last == nil ? TimePointParser.pickerValue(selection.fromUnixNs) : ""
        let to = selection.last == nil ? TimePointParser.pickerValue(selection.toUnixNs) : ""
        html += "<label>from <input id=\"range-from\" name=\"from\" type=\"datetime-local\" value=\"\(from)\"></label>"
        return html + "<label>to <input id=\"range-to\" name=\"to\" type=\"datetime-local\" value=\"\(to)\"></label> (UTC)"
    }

    static func kindField(_ selection: PageSelection) -> String {
        var html = "<label>Kind <select id=\"kind\" name=\"kind\">"
        for kind in ProfileKind.allCases {
            html += "<option value=\"\(kind.rawValue)\"\(selection.kind == kind ? " selected" : "")>\(FlameGraphPages.kindName(kind))</option>"
        }
        return html + "</select></label>"
    }

    static func select(_ name: String, choices: [String], chosen: String?, any: String) -> String {
        var html = "<label>\(name.capitalized) <select id=\"\(name)\" name=\"\(name)\"><option value=\"\">\(any)</option>"
        for choice in choices {
            let text = MarkupEscape.xml(choice)
            html += "<option value=\"\(text)\"\(choice == chosen ? " selected" : "")>\(text)</option>"
        }
        return html + "</select></label>"
    }

    /// Distinct values, sorted with numbers in order (v9 before v10): the selectors' choices.
    static func uniqueSorted(_ values: [String]) -> [String] {
        Array(Set(values)).sorted { $0.compare($1, options: [.numeric]) == .orderedAscending }
    }
}
