/// The report's style sheet, inlined in the page: a mail attachment or a file opened offline
/// has nothing else to load. System fonts, one column on a phone, tables that scroll sideways
/// rather than squeeze.
enum ReportStyle {
    static let css = """
        :root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;
        --good:#1a7f37;--warning:#9a6700;--bad:#cf222e;--neutral:#59636e;
        --granted:#2e7d32;--failed:#c62828;--resting:#8d6e63;--deferred:#ef8f00;--not_attempted:#9e9e9e;--revoked:#6a1b9a;--departed:#1565c0}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
        body{margin:0;color:var(--ink);background:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
        main{max-width:70rem;margin:0 auto;padding:1rem 1.25rem 2rem}
        h1{font-size:1.45rem;margin:.25rem 0}
        h2{font-size:1.15rem;margin:2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
        h3{font-size:1rem;margin:0 0 .35rem}
        p{margin:.4rem 0}
        .meta,.note{color:var(--muted);font-size:.85rem}
        .meta{overflow-wrap:anywhere}
        .outcome{margin:.5rem 0;padding:.8rem 1rem;border-left:.45rem solid var(--neutral);border-radius:.3rem;background:var(--soft);font-size:1.05rem}
        .callout{margin:.5rem 0;padding:.6rem .9rem;border-left:.35rem solid var(--neutral);border-radius:.3rem;background:var(--soft)}
        .tone-good{border-color:var(--good)}.tone-good .word{color:var(--good)}
        .tone-warning{border-color:var(--warning)}.tone-warning .word{color:var(--warning)}
        .tone-bad{border-color:var(--bad)}.tone-bad .word{color:var(--bad)}
        .tone-neutral .word{color:var(--neutral)}
        .word{font-weight:700}
        .symbol{display:inline-block;min-width:1.2em;font-weight:700}
        .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
        table{border-collapse:collapse;width:100%;font-size:.9rem}
        caption{text-align:left;color:var(--muted);font-size:.85rem;padding:.2rem 0}
        th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        thead th{background:var(--soft);font-weight:600;white-space:nowrap}
        .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        .zero{color:#8c959f}
        .t,.badge{white-space:nowrap}
        .addr,.msg{overflow-wrap:break-word}
        .addr{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr));gap:.75rem}
        .card{border:1px solid var(--line);border-left:.35rem solid var(--failed);border-radius:.35rem;padding:.7rem .85rem}
        .legend{display:flex;flex-wrap:wrap;gap:.3rem 1.1rem;list-style:none;padding:0;margin:.5rem 0;font-size:.85rem}
        .swatch{display:inline-block;width:.85rem;height:.85rem;margin-right:.35rem;border-radius:.15rem;vertical-align:-.1rem}
        .chart{display:block;width:100%;min-width:34rem;height:auto}
        .chart text{font-size:12px;fill:var(--muted)}
        .chart .axis{stroke:var(--line)}
        .chart .unrecorded{fill:none;stroke:var(--not_attempted);stroke-dasharray:3 2}
        .mini{display:block;width:8rem;height:.8rem}
        .b-granted{background:var(--granted)}.f-granted{fill:var(--granted)}
        .b-failed{background:var(--failed)}.f-failed{fill:var(--failed)}
        .b-resting{background:var(--resting)}.f-resting{fill:var(--resting)}
        .b-deferred{background:var(--deferred)}.f-deferred{fill:var(--deferred)}
        .b-not_attempted{background:var(--not_attempted)}.f-not_attempted{fill:var(--not_attempted)}
        .b-revoked{background:var(--revoked)}.f-revoked{fill:var(--revoked)}
        .b-departed{background:var(--departed)}.f-departed{fill:var(--departed)}
        .empty{color:var(--muted);font-style:italic}
        footer{margin-top:2.5rem;color:var(--muted);font-size:.8rem}
        @media (max-width:40rem){body{font-size:14px}main{padding:.6rem .7rem 1.5rem}h1{font-size:1.25rem}.wide{display:none}}
        @media print{.scroll{overflow:visible}.chart{min-width:0}}
        """
}
