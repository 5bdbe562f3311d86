/// One record as produced by ``CSVRecordParser``: the unescaped field contents stored
/// back to back in `bytes`, with `fieldEnds[k]` the end offset of field `k`.
struct CSVRecord {
    enum Issue: Equatable {
        /// The record grew past the byte limit; the rest of it, up to the next physical
        /// line break, was skipped. `openQuoteLine` is set when a quoted field was open.
        case tooLong(limit: Int, openQuoteLine: Int?)
        /// The input ended inside a quoted field opened on `quoteLine`.
        case unterminatedQuote(quoteLine: Int)
    }

    var line = 1          // physical line where the record starts
    var lastLine = 1      // physical line where it ends
    var bytes: [UInt8] = []
    var fieldEnds: [Int] = []
    var issue: Issue?

    var fieldCount: Int { fieldEnds.count }

    func fieldRange(_ k: Int) -> Range<Int> {
        (k == 0 ? 0 : fieldEnds[k - 1])..<fieldEnds[k]
    }

    /// True when every field is empty or whitespace (a blank line, or `,,,`).
    var isBlank: Bool {
        issue == nil && bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    func fieldString(_ k: Int) -> String {
        String(decoding: bytes[fieldRange(k)], as: UTF8.self)
    }
}

/// A streaming RFC 4180 record splitter over raw byte chunks.
///
/// - LF, CRLF and lone CR end a record (outside quotes) and count as one physical line;
///   a CRLF split across two chunks is handled.
/// - `"` opens a quoted field at the start of a field (leading spaces before it are
///   dropped); `""` inside is a literal quote; delimiters and line breaks inside are data.
///   A `"` elsewhere is taken literally.
/// - With `quoting == false` and `delimiter == nil` every physical line is one field.
/// - A record whose content exceeds `maxRecordBytes` is cut off: its content is dropped,
///   input is skipped to the next physical line break, and it is reported with
///   ``CSVRecord/Issue/tooLong(limit:openQuoteLine:)``. Memory stays bounded.
struct CSVRecordParser {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, skipping }

    let delimiter: UInt8?
    let quoting: Bool
    let maxRecordBytes: Int

    private var state = State.fieldStart
    private var record = CSVRecord()
    private var line: Int
    private var quoteLine = 0
    private var afterCR = false     // the previous byte was a CR that already ended a line
    private var started = false     // the current record consumed at least one byte
    private var quotedEndsWithBreak = false  // the last byte taken inside quotes was a line break

    init(delimiter: UInt8?, quoting: Bool, maxRecordBytes: Int, firstLine: Int = 1) {
        self.delimiter = delimiter
        self.quoting = quoting
        self.maxRecordBytes = max(1, maxRecordBytes)
        self.line = firstLine
        record.line = firstLine
        record.bytes.reserveCapacity(256)
    }

    /// Feeds a chunk, calling `emit` for every record it completes.
    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ emit: (CSVRecord) throws -> Void) rethrows {
        let n = chunk.count
        let delim = delimiter ?? 0x0A   // LF is tested as a line break first, so never matches as a delimiter
        let quote = quoting ? UInt8(ascii: "\"") : 0x0A
        var i = 0
        while i < n {
            let b = chunk[i]
            if afterCR {
                afterCR = false
                if b == 0x0A {   // second half of a CRLF
                    if state == .quoted { append(b) }
                    i += 1
                    continue
                }
            }
            switch state {
            case .fieldStart, .unquoted:
                started = true
                if b == 0x0A || b == 0x0D {
                    try endRecord(emit)
                    afterCR = b == 0x0D
                    i += 1
                } else if b == delim {
                    endField()
                    i += 1
                } else if b == quote && state == .fieldStart {  // only blanks precede it in this field
                    dropFieldContent()
                    state = .quoted
                    quoteLine = line
                    i += 1
                } else {
                    // Copy the run up to the next special byte in one go. At the start of a field
                    // only a run of spaces can precede an opening quote.
                    let atFieldStart = state == .fieldStart
                    var j = i + 1
                    if atFieldStart, b == 0x20 || b == 0x09 {
                        while j < n, chunk[j] == 0x20 || chunk[j] == 0x09, chunk[j] != delim { j += 1 }
                    } else {
                        while j < n {
                            let c = chunk[j]
                            if c == delim || c == 0x0A || c == 0x0D { break }
                            j += 1
                        }
                        if atFieldStart { state = .unquoted }
                    }
                    append(UnsafeBufferPointer(rebasing: chunk[i..<j]))
                    i = j
                }
            case .quoted:
                if b == quote {
                    state = .quoteInQuoted
                    i += 1
                } else if b == 0x0A || b == 0x0D {
                    quotedEndsWithBreak = true
                    line += 1
                    afterCR = b == 0x0D
                    append(b)
                    i += 1
                } else {
                    var j = i + 1
                    while j < n, chunk[j] != quote, chunk[j] != 0x0A, chunk[j] != 0x0D { j += 1 }
                    quotedEndsWithBreak = false
                    append(UnsafeBufferPointer(rebasing: chunk[i..<j]))
                    i = j
                }
            case .quoteInQuoted:
                if b == quote {
                    state = .quoted
                    quotedEndsWithBreak = false
                    append(b)  // may switch to .skipping
                    i += 1
                } else {
                    // Closing quote: anything up to the delimiter is taken literally.
                    state = .unquoted
                }
            case .skipping:
                if b == 0x0A || b == 0x0D {
                    try endRecord(emit)
                    afterCR = b == 0x0D
                }
                i += 1
            }
        }
    }

    /// Signals end of input, emitting the last record if the input did not end with a line break.
    mutating func finish(_ emit: (CSVRecord) throws -> Void) rethrows {
        switch state {
        case .quoted:
            record.issue = .unterminatedQuote(quoteLine: quoteLine)
            if quotedEndsWithBreak { line -= 1 }  // the input's final line break opened no new line
            try endRecord(emit)
        case .fieldStart where !started:
            break
        default:
            try endRecord(emit)
        }
    }

    // MARK: - Internals

    private var fieldStartOffset: Int { record.fieldEnds.last ?? 0 }

    private mutating func dropFieldContent() {
        let start = fieldStartOffset
        if record.bytes.count > start { record.bytes.removeSubrange(start...) }
    }

    @inline(__always)
    private mutating func append(_ b: UInt8) {
        guard state != .skipping else { return }
        if record.bytes.count >= maxRecordBytes { overflow(); return }
        record.bytes.append(b)
    }

    private mutating func append(_ run: UnsafeBufferPointer<UInt8>) {
        guard state != .skipping else { return }
        if record.bytes.count + run.count > maxRecordBytes { overflow(); return }
        record.bytes.append(contentsOf: run)
    }

    private mutating func overflow() {
        let openQuote: Int? = (state == .quoted || state == .quoteInQuoted) ? quoteLine : nil
        record.issue = .tooLong(limit: maxRecordBytes, openQuoteLine: openQuote)
        record.bytes.removeAll(keepingCapacity: true)
        record.fieldEnds.removeAll(keepingCapacity: true)
        state = .skipping
    }

    private mutating func endField() {
        guard state != .skipping else { return }
        // Delimiters count towards the limit too, so `,,,,…` cannot grow `fieldEnds` without bound.
        if record.bytes.count + record.fieldEnds.count >= maxRecordBytes { overflow(); return }
        record.fieldEnds.append(record.bytes.count)
        state = .fieldStart
    }

    private mutating func endRecord(_ emit: (CSVRecord) throws -> Void) rethrows {
        if state != .skipping { record.fieldEnds.append(record.bytes.count) }
        record.lastLine = line
        line += 1
        state = .fieldStart
        started = false
        do {
            defer { reset() }
            try emit(record)
        }
    }

    private mutating func reset() {
        record.bytes.removeAll(keepingCapacity: true)
        record.fieldEnds.removeAll(keepingCapacity: true)
        record.issue = nil
        record.line = line
        record.lastLine = line
    }
}
