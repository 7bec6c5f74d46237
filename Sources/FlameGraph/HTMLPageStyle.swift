/// The stylesheet of the interactive flame graph pages (single-profile and differential).
enum HTMLPageStyle {
    static let source = """
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d1d1f; background: #fbfbfd; }
    header { padding: 14px 18px 6px; }
    h1 { font-size: 20px; margin: 0 0 2px; }
    .sub { color: #555; font-size: 13px; }
    .legend { margin-top: 8px; display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: #333; }
    .legend span.sw { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px; vertical-align: -2px; }
    .legend span.sw.new { background-image: repeating-linear-gradient(45deg, rgba(0,0,0,.45) 0 2px, transparent 2px 5px); outline: 1.5px solid #111; }
    .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 8px 18px; border-top: 1px solid #e3e3e8; border-bottom: 1px solid #e3e3e8; background: #f3f3f6; }
    .toolbar input { font: inherit; padding: 4px 8px; border: 1px solid #bbb; border-radius: 5px; }
    #search { width: 260px; }
    #trace { width: 300px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
    button { font: inherit; padding: 4px 10px; border: 1px solid #aaa; border-radius: 5px; background: #fff; cursor: pointer; }
    button:hover { background: #eef; }
    #match { font-weight: 600; color: #8a1c8a; }
    .sep { width: 1px; height: 22px; background: #ccc; margin: 0 4px; }
    .message { margin: 8px 18px 0; padding: 6px 10px; border-radius: 5px; background: #eef5ff; border: 1px solid #c6dafc; font-size: 13px; }
    .message.warn { background: #fff4e5; border-color: #f5c07a; }
    .message.hidden { display: none; }
    main { display: flex; gap: 14px; padding: 10px 18px; align-items: flex-start; }
    #graph { flex: 1 1 auto; min-width: 0; overflow-x: hidden; }
    #flame { display: block; font: 12px Verdana, "DejaVu Sans", sans-serif; }
    #flame g.fr { cursor: pointer; }
    #flame g.fr text { fill: #1a1a1a; pointer-events: none; }
    #flame g.fr:hover rect { stroke: #111; stroke-width: 1; }
    #flame g.fr.above rect { opacity: 0.55; }
    #flame g.fr.new rect { stroke: #111; stroke-width: 1.5; stroke-dasharray: 3 2; }
    #flame g.fr.hit text, #flame g.fr.light text { fill: #fff; }
    #flame rect.hatch { pointer-events: none; }
    aside#side { flex: 0 0 360px; max-height: 80vh; overflow-y: auto; background: #fff; border: 1px solid #e3e3e8; border-radius: 8px; padding: 10px 12px; }
    body.diff aside#side { flex-basis: 580px; }
    aside h2 { font-size: 14px; margin: 2px 0 8px; }
    aside h3 { font-size: 13px; margin: 12px 0 6px; }
    aside .hint { color: #666; font-size: 12px; margin: 0 0 8px; }
    #top { list-style: none; margin: 0; padding: 0; }
    #top li { position: relative; padding: 3px 6px; margin: 1px 0; border-radius: 4px; cursor: pointer; font-size: 12px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
    #top li .bar { position: absolute; left: 0; top: 0; bottom: 0; opacity: 0.35; z-index: 0; }
    #top li .pc { position: relative; display: inline-block; width: 56px; font-variant-numeric: tabular-nums; color: #333; }
    #top li .fn { position: relative; }
    #top li:hover, #side tr[data-fn]:hover { background: #f0f0f6; }
    #top li.selected, #side tr.selected { outline: 2px solid #c040c0; background: #fbeafb; }
    table.changes { border-collapse: collapse; width: 100%; font-size: 11.5px; font-variant-numeric: tabular-nums; }
    table.changes th { text-align: right; font-weight: 600; color: #444; border-bottom: 1px solid #ccc; padding: 3px 3px; position: sticky; top: -10px; background: #fff; }
    table.changes td { text-align: right; padding: 3px 3px; border-bottom: 1px solid #eee; }
    table.changes th, table.changes td { white-space: nowrap; }
    table.changes th:first-child, table.changes td:first-child { text-align: left; max-width: 165px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    table.changes tr[data-fn] { cursor: pointer; }
    td.up { color: #b3261e; font-weight: 600; } td.down { color: #1f4fb3; font-weight: 600; }
    .tag { display: inline-block; font-size: 10px; font-weight: 700; padding: 0 4px; border-radius: 3px; background: #111; color: #fff; margin-right: 4px; }
    .ns { color: #999; font-style: italic; }
    ul.gone { margin: 0; padding-left: 18px; font-size: 12px; }
    footer { padding: 4px 18px 16px; color: #555; font-size: 12px; }
    #tip { position: fixed; display: none; z-index: 10; max-width: 520px; padding: 7px 10px; border-radius: 6px; background: rgba(25,25,30,.94); color: #fff; font-size: 12px; line-height: 1.45; pointer-events: none; word-break: break-all; }
    #tip .mod { color: #bbb; }
    """
}
