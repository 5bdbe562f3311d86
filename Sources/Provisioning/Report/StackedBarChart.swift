import Foundation
import GrantLedger

/// Users by state per run as inline SVG: one stacked bar per run, oldest on the left. Each
/// segment carries a `<title>` with its words and number; the legend and the table beneath
/// the chart say the same, so no reader depends on the colours.
struct StackedBarChart {
    var runs: [RunSummary]

    private static let width = 760.0
    private static let height = 250.0
    private static let left = 72.0
    private static let right = 8.0
    private static let top = 10.0
    private static let bottom = 28.0

    func svg() -> HTML {
        let tallies = runs.map(RunTally.init)
        let highest = max(1, tallies.map(\.total).max() ?? 1)
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let slot = plotWidth / Double(max(runs.count, 1))
        let barWidth = max(2, min(40, slot * 0.7))
        // Every label when they fit, else every other one (the newest always).
        let labelEvery = slot >= 30 ? 1 : slot >= 15 ? 2 : 4
        var body: HTML = """
            <line class="axis" x1="\(Self.number(Self.left))" y1="\(Self.number(Self.top + plotHeight))" \
            x2="\(Self.number(Self.width - Self.right))" y2="\(Self.number(Self.top + plotHeight))"/>\
            <text x="\(Self.number(Self.left - 6))" y="\(Self.number(Self.top + 10))" text-anchor="end">\(ReportText.count(highest))</text>\
            <text x="\(Self.number(Self.left - 6))" y="\(Self.number(Self.top + plotHeight))" text-anchor="end">0</text>
            """
        for (index, (run, tally)) in zip(runs, tallies).enumerated() {
            let x = Self.left + slot * Double(index) + (slot - barWidth) / 2
            var y = Self.top + plotHeight
            if !tally.recorded || tally.total == 0 {
                body += """
                    <rect class="unrecorded" x="\(Self.number(x))" y="\(Self.number(y - 12))" width="\(Self.number(barWidth))" \
                    height="12"><title>Run #\(run.id): no counts recorded (killed, or still running)</title></rect>
                    """
            }
            for part in RunTally.Part.allCases where tally[part] > 0 {
                let h = max(1, plotHeight * Double(tally[part]) / Double(highest))
                y -= h
                body += """
                    <rect class="f-\(part.rawValue)" x="\(Self.number(x))" y="\(Self.number(y))" \
                    width="\(Self.number(barWidth))" height="\(Self.number(h))">\
                    <title>Run #\(run.id): \(ReportText.count(tally[part])) \(part.label)</title></rect>
                    """
            }
            if (runs.count - 1 - index) % labelEvery == 0 {
                body += """
                    <text x="\(Self.number(x + barWidth / 2))" y="\(Self.number(Self.height - 10))" \
                    text-anchor="middle">#\(run.id)</text>
                    """
            }
        }
        return """
            <svg class="chart" viewBox="0 0 \(Self.number(Self.width)) \(Self.number(Self.height))" role="img" \
            aria-labelledby="chart-title">\
            <title id="chart-title">Users by state after each of the last \(runs.count) runs, oldest first</title>\
            \(body)</svg>
            """
    }

    /// A coordinate with at most one decimal.
    private static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    /// One row's users by state as a small horizontal bar (a phone-sized companion of the numbers).
    static func mini(_ parts: [(key: String, label: String, count: Int)]) -> HTML {
        let total = parts.reduce(0) { $0 + $1.count }
        guard total > 0 else { return "" }
        var x = 0.0
        var rects: HTML = ""
        for part in parts where part.count > 0 {
            let w = 100 * Double(part.count) / Double(total)
            rects += """
                <rect class="f-\(part.key)" x="\(number(x))" y="0" width="\(number(max(w, 0.5)))" height="10">\
                <title>\(ReportText.count(part.count)) \(part.label)</title></rect>
                """
            x += w
        }
        return """
            <svg class="mini" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">\(rects)</svg>
            """
    }
}
