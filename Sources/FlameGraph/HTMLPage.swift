/// Assembles one self-contained HTML page (inline CSS, inline script, inline data; nothing fetched).
struct HTMLPage {
    var caption: ProfileCaption
    /// Pre-rendered legend entries: label and CSS fill (`new` adds the NEW-frame hatch).
    var legend: [(label: String, fill: String, isNew: Bool)]
    /// The JSON data block the script reads.
    var dataJSON: String
    /// Inner HTML of the side panel.
    var sideHTML: String
    /// Whether to show the trace-id filter, and the ids offered in its list.
    var traceIDs: [String]
    var initialFilter: String
    /// `profile` or `diff`: the body's class (the diff page's side panel is wider).
    var mode = "profile"

    func render() -> String {
        var legendHTML = ""
        for entry in legend {
            legendHTML += "<span><span class=\"sw\(entry.isNew ? " new" : "")\" style=\"background-color:\(entry.fill)\"></span>\(MarkupEscape.xml(entry.label))</span>"
        }
        var traceHTML = ""
        if !traceIDs.isEmpty {
            traceHTML = """
            <span class="sep"></span><label for="trace">Trace id</label>\
            <input id="trace" list="trace-ids" placeholder="trace id(s) or prefixes, comma-separated" value="\(MarkupEscape.xml(initialFilter))">\
            <button id="trace-clear">All traces</button>\
            <datalist id="trace-ids">\(traceIDs.map { "<option value=\"\(MarkupEscape.xml($0))\"></option>" }.joined())</datalist>
            """
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(MarkupEscape.xml(caption.title))</title>
        <style>
        \(HTMLPageStyle.source)
        </style>
        </head>
        <body class=\"\(mode)\">
        <header>
        <h1>\(MarkupEscape.xml(caption.title))</h1>
        <div class="sub">\(MarkupEscape.xml(caption.subtitle))</div>
        <div class="legend">\(legendHTML)</div>
        </header>
        <div class="toolbar">
        <button id="reset">Reset zoom</button><button id="orient">Icicle view</button>
        <span class="sep"></span><input id="search" type="search" placeholder="Search functions (text or /regex/)" autocomplete="off">
        <span id="match"></span>\(traceHTML)
        </div>
        <div id="message" class="message hidden"></div>
        <main>
        <div id="graph"><svg id="flame" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="flame graph"></svg></div>
        <aside id="side">\(sideHTML)</aside>
        </main>
        <footer id="note"></footer>
        <div id="tip"></div>
        <script type="application/json" id="flame-data">\(dataJSON)</script>
        <script>
        \(HTMLPageScript.source)
        </script>
        </body>
        </html>

        """
    }
}
