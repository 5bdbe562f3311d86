import Testing

@testable import Provisioning

@Suite("IDN domains")
struct IDNTests {
    @Test("a domain in Punycode and in Unicode is one user", arguments: [
        ("bob@xn--bcher-kva.example", "bob@bücher.example"),
        ("Bob@XN--BCHER-KVA.Example", "bob@bücher.example"),
        ("anna@xn--mnchen-3ya.de", "anna@münchen.de"),
        ("li@xn--fiqs8s.cn", "li@中国.cn"),
    ])
    func sameUser(ascii: String, unicode: String) throws {
        let a = try EmailAddress.parse(ascii).get()
        let b = try EmailAddress.parse(unicode).get()
        #expect(a == b)
        #expect(a.value == unicode.lowercased())
    }

    @Test("a label that only looks like Punycode is kept as written")
    func invalidPunycodeKept() throws {
        #expect(try EmailAddress.parse("x@xn--9999999999999.example").get().value == "x@xn--9999999999999.example")
    }

    @Test("the column used is named when others look like address columns")
    func otherAddressColumns() throws {
        #expect(RowInterpreter.looksLikeAddress("Manager Email"))
        #expect(RowInterpreter.looksLikeAddress("Personal E-mail"))
        #expect(!RowInterpreter.looksLikeAddress("Department"))
    }
}
