import Foundation
import GrantLedger
import Testing
@testable import Provisioning

/// Loads `text` from a real file with these filters (`where` and `exclude` texts).
private func load(_ text: String, where wheres: [String] = [], exclude excludes: [String] = [],
                  domains: Set<String> = [], format: InputFormat = .auto) throws -> InputSet {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bulkgrant-filter-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("export.csv").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    var configuration = InputReaderConfiguration()
    configuration.format = format
    configuration.filters = try wheres.map { try RowFilter(parsing: $0, kind: .where) }
        + excludes.map { try RowFilter(parsing: $0, kind: .exclude) }
    return try InputSet.load(path: path, configuration: configuration, domains: domains)
}

/// The reasons with their counts, as the summary prints them.
private func reasons(_ set: InputSet) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: set.filtered.map { ($0.reason, $0.count) })
}

/// The counts of an input set add up (see `InputSet`).
private func expectBalanced(_ set: InputSet, sourceLocation: SourceLocation = #_sourceLocation) {
    let s = set.summary
    #expect(s.rows == s.valid + s.rejected + s.filtered, sourceLocation: sourceLocation)
    #expect(
        s.valid + s.filtered
            == set.emails.count + set.duplicates + set.outsideDomains + set.filteredAddresses + set.filteredWithoutAddress,
        sourceLocation: sourceLocation)
    #expect(set.filteredTotal == set.filtered.reduce(0) { $0 + $1.count }, sourceLocation: sourceLocation)
}

private let staff = """
    Name,Email,Status,Department
    Ada,ada@acme.example,Active,Engineering
    Bob,bob@acme.example,Terminated,Sales
    Cy,cy@acme.example,On leave,Sales
    Di,di@acme.example,ACTIVE ,Contractors
    Ed,ed@acme.example,active,Sales

    """

@Suite("RowFilter")
struct RowFilterTests {
    // MARK: Parsing

    @Test("COLUMN=VALUE and comma lists are parsed, trimmed, and repeats dropped")
    func parsing() throws {
        let one = try RowFilter(parsing: "Status=Active", kind: .where)
        #expect(one.column == "Status" && one.values == ["Active"] && one.kind == .where)
        let list = try RowFilter(parsing: "  Status = Active , On leave,active ", kind: .exclude)
        #expect(list.column == "Status")
        #expect(list.values == ["Active", "On leave"])
        // The column is what precedes the first '='.
        let equals = try RowFilter(parsing: "Code=a=b", kind: .where)
        #expect(equals.column == "Code" && equals.values == ["a=b"])
        // A value holding a comma goes in double quotes, CSV-style.
        let quoted = try RowFilter(parsing: #"Department="People, Culture & Talent",Sales,"Say ""hi""""#, kind: .where)
        #expect(quoted.values == ["People, Culture & Talent", "Sales", #"Say "hi""#])
        #expect(quoted.matches("people, culture & talent"))
        #expect(!quoted.matches("People"))
        // Equal when they select the same rows: case and order of values do not matter.
        #expect(try RowFilter(parsing: "status=on LEAVE,active", kind: .exclude) == list)
        #expect(try RowFilter(parsing: "Status=Active,On leave", kind: .where) != list)
        let upper = try RowFilter(parsing: "STATUS=active,on leave", kind: .exclude)
        #expect(Set([list, upper]).count == 1)
    }

    @Test("the reason names the filter as the summary counts it; argument is how it is typed")
    func reasonText() throws {
        let keep = try RowFilter(parsing: "Status=Active,On leave", kind: .where)
        #expect(keep.reason == "not Status=Active,On leave")
        #expect(keep.description == keep.reason)
        #expect(keep.argument == "--where Status=Active,On leave")
        let drop = try RowFilter(parsing: "Department=Contractors", kind: .exclude)
        #expect(drop.reason == "Department=Contractors")
        #expect(drop.argument == "--exclude Department=Contractors")
        let comma = try RowFilter(column: "Department", values: ["People, Culture & Talent"], kind: .exclude)
        #expect(comma.reason == #"Department="People, Culture & Talent""#)
        // The reason parses back to the same filter.
        #expect(try RowFilter(parsing: comma.reason, kind: .exclude) == comma)
    }

    @Test(
        "malformed filters are errors naming the problem, with an example",
        arguments: [
            ("Status", RowFilterError.Code.missingEquals),
            ("=Active", .missingColumn),
            ("  =Active", .missingColumn),
            ("Status=", .missingValue),
            ("Status=  ", .missingValue),
            ("Status=Active,,On leave", .emptyValue),
            ("Status=Active,", .emptyValue),
            (#"Status="Active"#, .unterminatedQuote),
        ])
    func syntax(text: String, code: RowFilterError.Code) throws {
        let error = try #require(throws: RowFilterError.self) { try RowFilter(parsing: text, kind: .where) }
        #expect(error.code == code)
        #expect(error.message.hasPrefix("--where \(text.debugDescription): "))
        #expect(error.message.contains("e.g. --where Status=Active"), "\(error.message)")
        let exclude = try #require(throws: RowFilterError.self) { try RowFilter(parsing: text, kind: .exclude) }
        #expect(exclude.message.contains("e.g. --exclude Status=Terminated"), "\(exclude.message)")
    }

    @Test("values compare without regard to case, Unicode included, but accents count")
    func caseFolding() throws {
        let filter = try RowFilter(parsing: "City=Straße,École,Σίσυφος", kind: .where)
        #expect(filter.matches("STRASSE"))
        #expect(filter.matches("straße"))
        #expect(filter.matches(" école\u{00A0}"))
        #expect(filter.matches("E\u{0301}COLE"))          // decomposed É
        #expect(filter.matches("ΣΊΣΥΦΟΣ"))
        #expect(!filter.matches("ecole"))
        #expect(!filter.matches("Strase"))
        #expect(filter.keeps("strasse"))
        let exclude = try RowFilter(parsing: "Status=Terminated", kind: .exclude)
        #expect(!exclude.keeps("TERMINATED"))
        #expect(exclude.keeps("Active"))
        #expect(exclude.keeps(""))
    }

    // MARK: Applied by InputSet

    @Test("--where keeps only matching rows, case-insensitively on column and value, and counts the rest by reason")
    func whereFilter() throws {
        let set = try load(staff, where: ["status=active"])
        #expect(set.emails.map(\.value) == ["ada@acme.example", "di@acme.example", "ed@acme.example"])
        #expect(reasons(set) == ["not status=active": 2])
        #expect(set.filteredAddresses == 2)
        #expect(set.summary.filtered == 2)
        #expect(set.rejections.isEmpty)
        // The dropped are not in the planner's index: to it they left the export.
        #expect(set.positions["bob@acme.example"] == nil)
        #expect(set.positions["ada@acme.example"] == 0)
        #expect(set.exportUsers == 5)
        expectBalanced(set)
    }

    @Test("a comma list means any of its values")
    func commaList() throws {
        let set = try load(staff, where: ["Status=Active,On Leave"])
        #expect(set.emails.map(\.value) == ["ada@acme.example", "cy@acme.example", "di@acme.example", "ed@acme.example"])
        #expect(reasons(set) == ["not Status=Active,On Leave": 1])
        expectBalanced(set)
    }

    @Test("several --where must all hold; the first one a row fails is its reason")
    func severalWhere() throws {
        let set = try load(staff, where: ["Status=Active", "Department=Sales,Engineering"])
        #expect(set.emails.map(\.value) == ["ada@acme.example", "ed@acme.example"])
        #expect(reasons(set) == ["not Status=Active": 2, "not Department=Sales,Engineering": 1])
        expectBalanced(set)
    }

    @Test("--exclude drops matching rows and wins over --where")
    func excludeWins() throws {
        let set = try load(staff, where: ["Status=Active"], exclude: ["Department=Contractors", "Department=Sales"])
        #expect(set.emails.map(\.value) == ["ada@acme.example"])
        // Bob is Terminated (fails --where) and in Sales (excluded): the exclusion is his reason.
        #expect(reasons(set) == ["not Status=Active": 0, "Department=Contractors": 1, "Department=Sales": 3])
        #expect(set.filtered.map(\.reason) == ["not Status=Active", "Department=Contractors", "Department=Sales"])
        expectBalanced(set)
    }

    @Test("a filter that dropped nothing is listed with 0, and one given twice once")
    func zeroAndRepeated() throws {
        let set = try load(staff, exclude: ["Status=Retired", "status=retired"])
        #expect(set.filtered == [RowFilter.Count(reason: "Status=Retired", count: 0)])
        #expect(set.emails.count == 5)
    }

    @Test("an address with one filtered-out row is out, whichever row comes first")
    func duplicateRule() throws {
        let text = """
            Email,Status
            ada@acme.example,Active
            bob@acme.example,Active
            ADA@acme.example,Terminated
            cy@acme.example,Terminated
            cy@acme.example,Active
            bob@acme.example,Active
            di@acme.example,Terminated
            di@acme.example,Terminated
            ed@acme.example,Active

            """
        let set = try load(text, where: ["Status=Active"])
        #expect(set.emails.map(\.value) == ["bob@acme.example", "ed@acme.example"])
        #expect(set.positions["bob@acme.example"] == 0)
        #expect(set.positions["ed@acme.example"] == 1)
        #expect(set.positions["ada@acme.example"] == nil && set.positions["cy@acme.example"] == nil)
        // Three people dropped, each counted once; their other rows are duplicates, as is Bob's.
        #expect(reasons(set) == ["not Status=Active": 3])
        #expect(set.duplicates == 4)
        #expect(set.exportUsers == 5)
        expectBalanced(set)
    }

    @Test("a filtered-out row without a valid address is counted as filtered, not rejected; a missing cell is blank")
    func addressless() throws {
        let text = """
            Email,Status,Department
            ,Terminated,Sales
            not-an-address,Terminated
            ada@acme.example,Active
            bad-but-active,Active
            bob@acme.example

            """
        let set = try load(text, where: ["Status=Active"])
        #expect(set.emails.map(\.value) == ["ada@acme.example"])
        #expect(set.rejections.map(\.line) == [5])
        #expect(reasons(set) == ["not Status=Active": 3])
        #expect(set.filteredWithoutAddress == 2)
        #expect(set.filteredAddresses == 1)
        expectBalanced(set)
        // A short row passes an --exclude: its missing cell holds none of the values.
        let kept = try load(text, exclude: ["Department=Sales"])
        #expect(kept.emails.map(\.value) == ["ada@acme.example", "bob@acme.example"])
        expectBalanced(kept)
    }

    @Test("--domain applies to addresses first: one outside it counts there, not as filtered")
    func domains() throws {
        let text = """
            Email,Status
            ada@acme.example,Active
            bob@other.example,Terminated
            cy@acme.example,Terminated
            cy@acme.example,Active
            di@other.example,Active
            di@other.example,Terminated

            """
        let set = try load(text, where: ["Status=Active"], domains: ["acme.example"])
        #expect(set.emails.map(\.value) == ["ada@acme.example"])
        #expect(set.outsideDomains == 2)
        #expect(set.positions["bob@other.example"] == -1 && set.positions["di@other.example"] == -1)
        #expect(reasons(set) == ["not Status=Active": 1])
        #expect(set.exportUsers == 2)
        expectBalanced(set)
    }

    @Test("a filter on a column the header lacks is an error listing the columns it has")
    func unknownColumn() throws {
        let error = try #require(throws: InputError.self) { try load(staff, where: ["Stauts=Active"]) }
        #expect(error.code == .unknownFilterColumn)
        #expect(error.message.contains(#"--where Stauts=Active names the column "Stauts""#), "\(error.message)")
        #expect(error.message.contains("columns: Name, Email, Status, Department"), "\(error.message)")
        // Underscores and spaces are forgiven, as for --email-column.
        let spaced = try load("Email,Employee Status\nada@acme.example,Active\n", where: ["employee_status=active"])
        #expect(spaced.emails.count == 1)
        let twice = try #require(throws: InputError.self) {
            try load("Email,Status,status\nada@acme.example,Active,Active\n", exclude: ["Status=Gone"])
        }
        #expect(twice.code == .unknownFilterColumn)
        #expect(twice.message.contains("2 times (at positions 2, 3)"), "\(twice.message)")
    }

    @Test("filters on a plain list of addresses are an error saying they need a CSV with a header")
    func plainList() throws {
        let error = try #require(throws: InputError.self) {
            try load("ada@acme.example\nbob@acme.example\n", where: ["Status=Active"])
        }
        #expect(error.code == .filterNeedsHeader)
        #expect(error.message.contains("--where Status=Active needs a CSV with a header row"), "\(error.message)")
        let forced = try #require(throws: InputError.self) {
            try load(staff, exclude: ["Status=Terminated"], format: .lines)
        }
        #expect(forced.code == .filterNeedsHeader)
    }

    @Test("a granted user the filters drop is departed in the plan; the others are planned as usual")
    func filteredIsDeparted() throws {
        let set = try load(staff, where: ["Status=Active"])
        let rows = LedgerRows([
            LedgerRow(email: "ada@acme.example", id: 1, state: .granted),
            LedgerRow(email: "bob@acme.example", id: 2, state: .granted),
            LedgerRow(email: "cy@acme.example", id: 3, state: .failed),
        ])
        let plan = Plan.make(emails: set.emails, positions: set.positions, ledger: rows)
        #expect(plan.departed == ["bob@acme.example"])
        #expect(plan.granted == 1)
        #expect(plan.retry.isEmpty)     // cy is filtered out and was never granted: nothing to do
        #expect(plan.new == ["di@acme.example", "ed@acme.example"])
    }
}
