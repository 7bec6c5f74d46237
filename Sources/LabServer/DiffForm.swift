import FlameGraph
import ProfileStore

/// The diff page's picker: base and candidate (a version, or `key=value` pairs such as
/// `version=v1,pid=4242`) over one time range and kind.
enum DiffForm {
    static func html(_ selection: PageSelection, base: String, candidate: String, summaries: [WindowSummary]) -> String {
        let versions = SelectionForm.uniqueSorted(summaries.compactMap(\.version))
        let options = versions.map { "<option value=\"\(MarkupEscape.xml($0))\">" }.joined()
        return "<form id=\"diff-form\" method=\"get\" action=\"/diff\" style=\"\(SelectionForm.style)\">"
            + "<datalist id=\"versions\">\(options)</datalist>"
            + "<label>Base <input id=\"diff-base\" name=\"base\" list=\"versions\" size=\"14\" value=\"\(MarkupEscape.xml(base))\"></label>"
            + "<label>Candidate <input id=\"diff-cand\" name=\"cand\" list=\"versions\" size=\"14\" value=\"\(MarkupEscape.xml(candidate))\"></label>"
            + SelectionForm.rangeFields(selection) + SelectionForm.kindField(selection)
            + "<button id=\"diff-show\" type=\"submit\">Diff</button></form>"
    }
}
